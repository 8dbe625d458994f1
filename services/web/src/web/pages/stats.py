"""Township and county officers' statistics: the day's figures rolled up the division tree, charts and export."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from web.apis import ApisDep
from web.pages import stats_charts
from web.pages.stats_data import Stats, gather
from web.pages.stats_excel import workbook
from web.session import User, requires
from web.templating import SHANGHAI, label, render

router = APIRouter()
Officer = Annotated[User, requires("township_officer", "county_officer", "community_admin")]
Day = Annotated[date | None, Query(description="the local day; today when omitted")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _today() -> date:
    """Today in Beijing, the day the services count in."""
    return datetime.now(SHANGHAI).date()


@router.get("/stats", response_class=HTMLResponse)
async def stats_page(request: Request, apis: ApisDep, user: Officer, day: Day = None) -> HTMLResponse:
    """The day's tables and charts for the officer's division."""
    stats = await gather(apis, user, day or _today())
    return render(request, "stats/stats.html", stats=stats, charts=_charts(stats), today=_today())


@router.get("/stats.xlsx")
async def stats_export(apis: ApisDep, user: Officer, day: Day = None) -> Response:
    """The same figures as the page, as an Excel workbook to download."""
    stats = await gather(apis, user, day or _today())
    name = f"stats-{stats.division}-{stats.day.isoformat()}.xlsx"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(workbook(stats), media_type=XLSX, headers=headers)


def _charts(stats: Stats) -> dict[str, object]:
    """The four charts: people per measure, check-ins done/missed by day, alerts by kind, open help requests."""
    totals = stats.totals
    measures = [(label(m, "measure"), n) for m, n in sorted(totals["people_by_measure"].items(), key=lambda x: -x[1])]
    alerts = [(label(k, "alert_kind"), n) for k, n in sorted(totals["alerts_by_kind"].items(), key=lambda x: -x[1])]
    requests = [(label(s, "request_status"), n) for s, n in stats.open_requests.items()]
    trend = [(d.strftime("%m-%d"), done, missed) for d, done, missed in stats.trend]
    return {
        "measures": stats_charts.bars("各类管控措施人数", measures, chart_id="chart-measures"),
        "trend": stats_charts.done_missed("近7日健康打卡：已打卡与漏打卡", trend, chart_id="chart-trend"),
        "alerts": stats_charts.bars("当日预警（按类型）", alerts, chart_id="chart-alerts"),
        "requests": stats_charts.bars("未办结求助（按状态）", requests, chart_id="chart-requests"),
    }
