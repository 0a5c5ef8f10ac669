"""Run-together text, where each table and row is (pipeline/runtogether/locate.py, spec §15): the layout recognised,
crawled sections found by their headers and read end to end."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.layout import text_grid
from pipeline.runtogether import RunTogetherTables, glued_rows
from pipeline.runtogether.locate import (
    APPLICATIONS,
    REVIEW,
    application_runs,
    application_template,
    disclosure_runs,
    find_tables,
    pairs,
    review_run,
)
from pipeline.runtogether.solve import solve_applications, solve_review
from tests.support import variants as V
from tests.support.runtogether_truth import Row, assert_matches_truth, dvals, make_table, runs_of

# ------------------------------------------------------------------------------------------------
# locate: recognising the layout and finding each row's run
# ------------------------------------------------------------------------------------------------

LABELS = {  # spec §5.3, verbatim (canonical full-width form)
    "new_received": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "三、本年度办理结果（一）予以公开",
    "partially_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "（三）不予公开1.属于国家秘密",
    "denied_law_forbidden": "2.其他法律行政法规禁止公开",
    "denied_security_stability": "3.危及“三安全一稳定”",
    "denied_third_party_rights": "4.保护第三方合法权益",
    "denied_internal_affairs": "5.属于三类内部事务信息",
    "denied_process_info": "6.属于四类过程性信息",
    "denied_enforcement_file": "7.属于行政执法案卷",
    "denied_admin_query": "8.属于行政查询事项",
    "unable_no_info": "（四）无法提供1.本机关不掌握相关政府信息",
    "unable_need_creation": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "not_processed_complaint": "（五）不予处理1.信访举报投诉类申请",
    "not_processed_repeat": "2.重复申请",
    "not_processed_publication": "3.要求提供公开出版物",
    "not_processed_massive": "4.无正当理由大量反复申请",
    "not_processed_confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other_processing": "（六）其他处理",
    "other_overdue_correction": "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_overdue_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3.其他",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
HEADER = ("三、收到和处理政府信息公开申请情况",
          "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"
          "商业企业科研机构社会公益组织法律服务机构其他")


def crawled_section(truth: dict[str, Row], one_line: bool) -> list[str]:
    rows = [LABELS[r] + "".join("" if v is None else str(v) for v in row) for r, row in truth.items()]
    return [*HEADER, "".join(rows)] if one_line else [*HEADER, *rows]


def is_run_together(lines: list[str]) -> bool:
    return RunTogetherTables.detect(text_grid("\n".join(lines)), lines) is not None


def app_table(lines: list[str], template: str | None = None):
    table = find_tables(pairs(lines))[APPLICATIONS]
    application_runs(table, template or application_template(table))
    return table


@pytest.mark.parametrize("template", ["2019", "2021"])
@pytest.mark.parametrize("one_line", [False, True])
def test_crawled_application_section_end_to_end(template, one_line):
    for seed in range(10):
        truth = make_table(template, seed, "mixed")
        lines = crawled_section(truth, one_line)
        assert is_run_together(lines)
        table = find_tables(pairs(lines))[APPLICATIONS]
        assert application_template(table) == template
        application_runs(table, template)
        assert table.run_map() == runs_of(truth)
        assert not table.unmatched and not table.duplicates
        sol = solve_applications(table.run_map(), template)
        assert not sol.inconsistent
        assert_matches_truth(sol, truth)


def test_crawled_rows_wrapped_over_lines_join_with_a_known_cut():
    table = app_table([*HEADER, "一、本年新收政府信息公开申请数量1200", "00012"], "2019")
    assert table.run_map() == {"new_received": "1200 00012"}
    assert solve_applications(table.run_map(), "2019").values("new_received") == dvals((12, 0, 0, 0, 0, 0, 12))
    # a line break is a cell boundary: `1` must be a cell of its own, and then no split satisfies A3
    table = app_table([*HEADER, "一、本年新收政府信息公开申请数量1", "20000012"], "2019")
    sol = solve_applications(table.run_map(), "2019")
    assert sol.values("new_received") is None and "new_received" in sol.impossible


def test_crawled_review_and_disclosure():
    lines = ["四、政府信息公开行政复议、行政诉讼情况", "行政复议行政诉讼",
             "结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉",
             "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计",
             "100010000000000"]
    run = review_run(find_tables(pairs(lines))[REVIEW])
    assert run is not None and run.run == "100010000000000" and run.line == 5
    assert solve_review(run.run).values("review") == dvals((1, 0, 0, 0, 1))
    sec2 = ["第二十条第（一）项", "信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件693665",
            "第二十条第（五）项",
            "信息内容上一年项目数量本年增/减处理决定数量行政许可0+88其他对外管理服务事项396442278",
            "第二十条第（八）项", "信息内容本年收费金额（单位：万元）行政事业性收费9.51"]
    tables = find_tables(pairs(sec2))
    for t in tables.values():
        disclosure_runs(t)
    assert {k: t.run_map() for k, t in tables.items()} == {
        "art20_1": {"regulations": "000", "normative_documents": "693665"},
        "art20_5": {"licensing": "0+88", "other_admin_services": "396442278"},
        "art20_8": {"admin_fees": "9.51"},
    }
    assert any("本年增/减" in lab for lab in tables["art20_5"].labels)


def test_one_line_page_tables_found_by_their_headers():
    """A whole page on one line: prose numbers, application rows that look like headings and the real
    section 四 heading glued after `四、结转下年度继续办理…` are told apart by the tables' own headers."""
    truth = make_table("2021", 3, "mixed")
    rows = "".join(LABELS[r] + "".join(str(v) for v in row) for r, row in truth.items())
    page = ("当前位置：首页 政务公开 微信 微博 本报告统计期限为2021年1月1日至12月31日，主动公开政府信息394条。"
            "一、总体情况全年收到申请12件。二、主动公开政府信息情况第二十条第（一）项信息内容本年制发件数本年废止件数"
            "现行有效件数规章000行政规范性文件3012第二十条第（五）项信息内容本年处理决定数量行政许可52"
            + "".join(HEADER) + rows
            + " 四、政府信息公开行政复议、行政诉讼情况行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
            "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计"
            " 0 010 10 0 0 0 0 0 0 0 0 0"
            "五、存在的主要问题及改进情况2022年将加强培训。六、其他需要报告的事项通知收取件数信息处理费收取情况18000")
    tables = find_tables(pairs(["标题: 某局2021年度政府信息公开工作年度报告", "==== 正文 ====", page]))
    assert set(tables) == {"art20_1", "art20_5", APPLICATIONS, REVIEW}
    application_runs(tables[APPLICATIONS], "2021")
    assert tables[APPLICATIONS].run_map() == runs_of(truth)
    assert review_run(tables[REVIEW]).run == "0 010 10 0 0 0 0 0 0 0 0 0"
    disclosure_runs(tables["art20_1"])
    assert tables["art20_1"].run_map() == {"regulations": "000", "normative_documents": "3012"}


def test_rows_printed_without_values_give_their_run_to_the_last_row():
    """（六）2 and 3 printed as labels only (the page merged their cells): the run belongs to （七）总计."""
    lines = [*HEADER, "（六）其他处理1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请0000000"
             "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请3.其他（七）总计5000005"]
    table = app_table(lines, "2021")
    assert table.run_map() == {"other_overdue_correction": "0000000", "total": "5000005"}
    assert table.unvalued == ["other_overdue_fee", "other_other"]


def test_layout_not_recognised_in_prose():
    prose = ["全年共办理行政许可1234件，行政处罚567件，行政强制890项。", "本年度收到规章备案123份。",
             "行政事业性收费2025年1月起停止征收。", "政府集中采购1596496.16元。"]
    assert glued_rows(text_grid("\n".join(prose))) <= 1 and not is_run_together(prose * 3)


def test_layout_not_recognised_in_the_seeds():
    for path in sorted(Path(V.SEED_DIR).glob("*.txt")):
        lines = path.read_text(encoding="utf-8").splitlines()
        assert glued_rows(text_grid("\n".join(lines))) == 0 and not is_run_together(lines), path.name
