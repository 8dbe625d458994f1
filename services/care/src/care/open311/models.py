"""GeoReport v2 shapes: what Open311 clients send and read (https://wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from care.vocabulary import RequestType

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Open311Create(BaseModel):
    """A service request as a GeoReport client posts it, form-encoded. Fields care does not use (email,
    device_id, attribute[…]) are accepted and ignored, as GeoReport clients send them."""

    model_config = ConfigDict(extra="ignore")

    api_key: str = Field(min_length=1, max_length=128)
    service_code: RequestType
    jurisdiction_id: str | None = Field(default=None, max_length=64, description="12-digit community code")
    description: Text | None = Field(default=None, max_length=500)
    lat: float | None = Field(default=None, ge=-90, le=90)
    long: float | None = Field(default=None, ge=-180, le=180)
    address_string: Text | None = Field(default=None, max_length=200)
    address_id: Text | None = Field(default=None, max_length=64)
    first_name: Text | None = Field(default=None, max_length=25)
    last_name: Text | None = Field(default=None, max_length=25)
    phone: str | None = Field(default=None, max_length=20)

    @model_validator(mode="after")
    def _located(self) -> Open311Create:
        has_point = self.lat is not None and self.long is not None
        if not (has_point or self.address_string or self.address_id):
            raise ValueError("a location is required: lat and long, address_string, or address_id")
        return self


class GeoReportService(BaseModel):
    service_code: str
    service_name: str
    description: str
    metadata: bool
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str
    group: str


class GeoReportCreated(BaseModel):
    service_request_id: str
    service_notice: str | None
    account_id: str | None = None


class GeoReportRequest(BaseModel):
    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str
    service_code: str
    description: str | None
    agency_responsible: str
    service_notice: str | None
    requested_datetime: datetime
    updated_datetime: datetime
    expected_datetime: datetime | None
    address: str | None = Field(description="masked")
    address_id: str | None = None
    zipcode: str | None = None
    lat: float | None = None
    long: float | None = None
    media_url: str | None = None


class GeoReportError(BaseModel):
    code: int
    description: str


class GeoReportQuery(BaseModel):
    """What a GET requests without ids asks for: GeoReport's optional filters, already parsed."""

    service_codes: list[RequestType] = Field(default_factory=list, description="none: every service")
    statuses: list[Literal["open", "closed"]] = Field(default_factory=list, description="none: every status")
    start_date: datetime | None = None
    end_date: datetime | None = None
    jurisdiction_id: str | None = None


class DiscoveryEndpoint(BaseModel):
    specification: str
    url: str
    changeset: datetime
    type: Literal["production", "test"]
    formats: list[str]


class Discovery(BaseModel):
    """GeoReport service discovery (https://wiki.open311.org/Service_Discovery)."""

    changeset: datetime
    contact: str
    key_service: str
    endpoints: list[DiscoveryEndpoint]
