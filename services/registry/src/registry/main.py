"""The registry service: divisions and grids, persons and key populations, rule-driven classification."""

from __future__ import annotations

from fastapi import FastAPI
from gridline.clock import Clock
from gridline.runtime import Runtime
from gridline.service import ServiceDefinition, build_app

from registry.assist_lists import service as assist_lists
from registry.assist_lists.views import router as assist_list_router
from registry.division_tree import service as division_tree
from registry.division_tree.views import public_router as public_division_router
from registry.division_tree.views import router as division_router
from registry.grids import service as grids
from registry.grids.views import router as grid_router
from registry.imports import service as imports
from registry.imports.views import router as import_router
from registry.persons import registration, reveal
from registry.persons import service as persons
from registry.persons.reclassification import JOB as RECLASSIFY
from registry.persons.views import router as person_router
from registry.published import PUBLISHED
from registry.risk_areas import service as risk_areas
from registry.risk_areas.views import router as risk_area_router
from registry.rules import service as rules
from registry.rules.views import router as rule_router
from registry.screenings import service as screenings
from registry.screenings.views import router as screening_router
from registry.settings import RegistrySettings
from registry.subscriptions import SUBSCRIPTIONS


async def seed_rules(runtime: Runtime) -> None:
    await rules.ensure_seeded(db=runtime.database())


def definition() -> ServiceDefinition:
    return ServiceDefinition(
        name="registry",
        title="Registry 登记服务",
        description="Persons and key populations, grids, screening, risk areas and rule-driven classification.",
        routers=[
            person_router,
            grid_router,
            division_router,
            public_division_router,
            risk_area_router,
            rule_router,
            screening_router,
            assist_list_router,
            import_router,
        ],
        published=PUBLISHED,
        subscriptions=SUBSCRIPTIONS,
        outbox_collections=[registration.COLLECTION, grids.COLLECTION, risk_areas.COLLECTION],
        indexes=[
            *persons.INDEXES,
            *reveal.INDEXES,
            *screenings.INDEXES,
            *grids.INDEXES,
            *rules.INDEXES,
            *risk_areas.INDEXES,
            *division_tree.INDEXES,
            *assist_lists.INDEXES,
            *imports.INDEXES,
        ],
        on_startup=[seed_rules],
        # Spreadsheets are larger than any JSON body; the upload route has its own limit.
        body_limits={"/v1/imports": imports.UPLOAD_LIMIT, "/v1/assist-lists": assist_lists.PUSH_BODY_LIMIT},
        jobs=[RECLASSIFY, *assist_lists.JOBS, *imports.JOBS],
    )


def create_app(settings: RegistrySettings | None = None, *, clock: Clock | None = None) -> FastAPI:
    return build_app(definition(), settings or RegistrySettings(), clock=clock)  # type: ignore[call-arg]
