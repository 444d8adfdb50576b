"""The region's key ratios (公开率, 复议纠错率…, defined in the format data as `ratios`): each
agency's value with last year's, the region's quartiles, and the agencies far outside them.
An agency with fewer cases than the ratio's minimum gets no value (a rate of 2 cases says nothing)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field

from ..format import Ratio
from ..report import Number, Report

OUTLIER_IQR = 1.5  # beyond this many interquartile ranges outside the quartiles: 偏高 / 偏低


@dataclass
class AgencyRatio:
    agency: str
    value: float | None  # None: too few cases, or a figure missing
    cases: Number | None  # the denominator
    last_year: float | None = None
    outlier: str = ""  # 偏高, 偏低 or ""

    @property
    def note(self) -> str:
        return "" if self.value is not None else "缺少数字" if self.cases is None else f"仅 {self.cases} 件，不计算"


@dataclass
class RegionRatio:
    ratio: Ratio
    agencies: list[AgencyRatio] = field(default_factory=list)
    quartiles: tuple[float, float, float] | None = None  # Q1, median, Q3; None with fewer than two values


def ratio_of(report: Report, ratio: Ratio) -> tuple[float | None, Number | None]:
    """(value, cases): None as the value when a figure is missing or the cases are fewer than the minimum."""
    numerator = [report.figure(n) for n in ratio.numerator]
    denominator = [report.figure(n) for n in ratio.denominator]
    if any(v is None for v in numerator + denominator):
        return None, None
    cases = sum(denominator)
    if cases < ratio.min_cases or cases <= 0:
        return None, cases
    return float(sum(numerator)) / float(cases), cases


def region_ratios(ratios: tuple[Ratio, ...], reports: dict[str, Report], last_year: dict[str, Report]) -> list[RegionRatio]:
    """Each ratio over the agencies' reports (agency → report), with last year's (same keys) where there is one."""
    found = []
    for ratio in ratios:
        result = RegionRatio(ratio)
        for key, report in reports.items():
            value, cases = ratio_of(report, ratio)
            previous = ratio_of(last_year[key], ratio)[0] if key in last_year else None
            result.agencies.append(AgencyRatio(report.agency, value, cases, previous))
        values = [a.value for a in result.agencies if a.value is not None]
        if len(values) >= 2:
            q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
            result.quartiles = (q1, median, q3)
            spread = OUTLIER_IQR * (q3 - q1)
            for agency in result.agencies:
                if agency.value is not None and agency.value > q3 + spread:
                    agency.outlier = "偏高"
                elif agency.value is not None and agency.value < q1 - spread:
                    agency.outlier = "偏低"
        found.append(result)
    return found
