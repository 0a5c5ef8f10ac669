"""Cutting crawled text into labels and digit runs (pipeline/runtogether/pieces.py, spec §14, §15)."""

from __future__ import annotations

from pipeline.runtogether.pieces import cut_runs

# ------------------------------------------------------------------------------------------------
# cut_runs
# ------------------------------------------------------------------------------------------------


def _kinds_texts(text: str) -> list[tuple[str, str]]:
    return [(p.kind, p.text) for p in cut_runs(text)]


def test_cut_section_two_row_pairs():
    assert _kinds_texts("规章000行政规范性文件693665") == [
        ("label", "规章"), ("run", "000"), ("label", "行政规范性文件"), ("run", "693665")]
    assert _kinds_texts("行政许可396442278") == [("label", "行政许可"), ("run", "396442278")]


def test_cut_application_row_from_the_issue():
    assert _kinds_texts("一、本年新收政府信息公开申请数量120000012") == [
        ("label", "一、本年新收政府信息公开申请数量"), ("run", "120000012")]


def test_cut_list_number_glued_to_previous_digits():
    pieces = cut_runs("1.属于国家秘密00000002.其他法律行政法规禁止公开0000000")
    assert [(p.kind, p.text) for p in pieces] == [
        ("label", "1.属于国家秘密"), ("run", "0000000"),
        ("label", "2.其他法律行政法规禁止公开"), ("run", "0000000")]
    # `、` numbering and a value ending in the same digit as the next list number
    assert _kinds_texts("2.重复申请0000033、要求提供公开出版物1000001") == [
        ("label", "2.重复申请"), ("run", "000003"), ("label", "3、要求提供公开出版物"), ("run", "1000001")]
    # `0.` is no list number (the tables count from 1): the dot is dropped, the digit stays
    assert _kinds_texts("总计00.其他") == [("label", "总计"), ("run", "00"), ("label", ".其他")]


def test_cut_ordinals_and_parentheses_stay_in_labels():
    text = "三、本年度办理结果(一)予以公开1100002(二)部分公开(区分处理的,只计这一情形,不计其他情形)0000000" \
           "(3)其他0000000四、结转下年度继续办理0000000"
    assert _kinds_texts(text) == [
        ("label", "三、本年度办理结果(一)予以公开"), ("run", "1100002"),
        ("label", "(二)部分公开(区分处理的,只计这一情形,不计其他情形)"), ("run", "0000000"),
        ("label", "(3)其他"), ("run", "0000000"),
        ("label", "四、结转下年度继续办理"), ("run", "0000000")]
    assert _kinds_texts("上一年项目数量(指2019年事项数)") == [("label", "上一年项目数量(指2019年事项数)")]
    # prose glued to a value (spec §14): the year belongs to the prose
    assert _kinds_texts("行政事业性收费02025年1月") == [
        ("label", "行政事业性收费"), ("run", "0"), ("label", "2025年1月")]


def test_cut_keeps_raw_slices_of_full_width_text():
    text = "（七）总计１２０００００１２　四、结转"
    pieces = cut_runs(text)
    assert [(p.kind, p.text) for p in pieces] == [("label", "(七)总计"), ("run", "120000012"), ("label", "四、结转")]
    run = pieces[1]
    assert run.raw == "１２０００００１２" and text[run.start : run.end] == run.raw
    assert pieces[0].raw == "（七）总计" and pieces[0].key == "(七)总计"


def test_cut_spaces_signs_decimals_units():
    assert _kinds_texts("(三)不予公开1. 属于国家秘密0 0 0 0 0 0 0 2. 其他") == [
        ("label", "(三)不予公开1. 属于国家秘密"), ("run", "0 0 0 0 0 0 0"), ("label", "2. 其他")]
    assert _kinds_texts("行政处罚2-20行政强制44-") == [
        ("label", "行政处罚"), ("run", "2-20"), ("label", "行政强制"), ("run", "44-")]
    pieces = cut_runs("政府集中采购151596496.16元")
    assert [(p.kind, p.text, p.unit, p.raw) for p in pieces] == [
        ("label", "政府集中采购", None, "政府集中采购"), ("run", "151596496.16", "元", "151596496.16元")]
    assert _kinds_texts("本年增/减") == [("label", "本年增/减")]
