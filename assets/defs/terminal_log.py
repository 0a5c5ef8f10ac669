"""The `terse` logger: what `make run` prints while the graph runs.

Dagster's default console logger prints every event at DEBUG (about 200 lines for five reports). A run that
selects this logger (`--config-json '{"loggers": {"terse": {}}}'`, as `make run` does) prints only the steps'
own messages at INFO and above (files scanned, parsed, refused, loaded, published) and every failure, as
`step: message`. Runs that do not name it (the UI, the daemon, tests) keep the default console logger.
"""

import logging
import sys

import dagster as dg

LOGGER = "terse"


class StepMessage(logging.Formatter):
    """`  step: message` (WARNING and ERROR say so), without the run id and time."""

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, "dagster_meta", {}) or {}
        message = meta.get("orig_message") or record.getMessage()
        step = (meta.get("step_key") or "").replace("__", "/")
        level = "" if record.levelno < logging.WARNING else f"{record.levelname}: "
        return f"  {step + ': ' if step else ''}{level}{message}"


@dg.logger(
    config_schema={"log_level": dg.Field(str, is_required=False, default_value="INFO")},
    description="Terse terminal output for `make run`: the steps' messages and failures, one line each.",
)
def terse(init_context: dg.InitLoggerContext) -> logging.Logger:
    logger = logging.getLogger(f"warehouse.{LOGGER}")
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(StepMessage())
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(init_context.logger_config["log_level"].upper())
    return logger


@dg.definitions
def terminal_loggers() -> dg.Definitions:
    return dg.Definitions(loggers={LOGGER: terse})
