"""Social insurance (社保, ``social_insurance_cur``): the insured headcount of the latest period up to the
as-of date."""

from __future__ import annotations

from functools import partial

from gaoqi.engine.features.declare import Source, SourceSQL, Window, date_lit, declare, source_row

_SI = ("social_insurance",)
_f = partial(declare, group="social_insurance", feeds=_SI)

# fmt: off
FEATURES = (
    _f("insured_count", "参保人数", "count", "INTEGER",
       "Insured headcount of the latest period ≤ as_of (period = first day of its month).", unit="人",
       provenance="social_insurance",
       sql="si.insured_count"),
    _f("insured_count_period", "参保人数所属期", "date", "DATE",
       "The period insured_count comes from.", provenance="social_insurance",
       sql="si.period"),
    # --- provenance ---------------------------------------------------------------------------------
    *source_row("social_insurance", "社保", "the social_insurance_cur row used", feeds=_SI,
                load_id="si._load_id", line="si._line"),
)
# fmt: on


def _sql(w: Window) -> SourceSQL:
    a = date_lit(w.as_of)
    return SourceSQL(
        ctes={
            # The latest period per enterprise, from the raw table (it has exactly the view's (uscc, period)
            # keys), then that one row of the view: cheaper than an ARG_MAX over every month of the view.
            "si_last": f"""
            SELECT uscc, MAX(period) AS period
            FROM social_insurance
            WHERE period <= {a}
            GROUP BY uscc""",
            "si": f"""
            SELECT v.uscc, v.insured_count, v.period, v._load_id, v._line
            FROM social_insurance_cur v
            JOIN si_last ON si_last.uscc = v.uscc AND si_last.period = v.period
            WHERE v.period <= {a}""",
        },
        joins=("LEFT JOIN si ON si.uscc = win.uscc",),
    )


SOURCE = Source("social_insurance", FEATURES, _sql)
