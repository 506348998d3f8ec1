"""The admin policy document (schema_version 2). Validation errors name the field that is wrong."""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from verification.policy.steps import Steps

SCHEMA_VERSION = 2
ACTION_KINDS = ("transfer", "new_beneficiary", "bank_detail_change")
CHECKLIST_ITEMS = ("urgency", "secrecy", "new_beneficiary", "changed_bank_details", "unusual_channel",
                   "callback_refused")
VERDICT_LEVELS = ("low", "elevated", "high", "unknown", "no_call")

_STRICT = ConfigDict(extra="forbid", frozen=True)


class AmountTier(BaseModel):
    model_config = _STRICT

    at_least: Decimal = Field(ge=0, title="From amount",
                              description="The tier applies to amounts greater than or equal to this, in the "
                                          "currency's major unit.")
    steps: Steps = Field(title="Required steps", description="Steps required from this amount upwards.")


class ActionRules(BaseModel):
    model_config = _STRICT

    transfer: Steps = Field(title="Transfer", description="Steps every transfer needs, before amount tiers.")
    new_beneficiary: Steps = Field(title="New beneficiary",
                                   description="Steps for adding a beneficiary (always at least a call-back and a "
                                               "second approver).")
    bank_detail_change: Steps = Field(title="Bank-detail change",
                                      description="Steps for changing a counterparty's bank details (always at "
                                                  "least a call-back and a second approver).")

    @model_validator(mode="after")
    def _novelty_floor(self) -> "ActionRules":
        floor = Steps(callback=True, approvals=1)
        for name in ("new_beneficiary", "bank_detail_change"):
            if not getattr(self, name).covers(floor):
                raise ValueError(f"actions.{name} must require at least a call-back and one second approver")
        return self


class ChecklistRules(BaseModel):
    model_config = _STRICT

    urgency: Steps = Field(title="Urgency", description="Added when the request is pressed as urgent.")
    secrecy: Steps = Field(title="Secrecy", description="Added when the requester is asked to keep it confidential.")
    new_beneficiary: Steps = Field(title="New beneficiary", description="Added when the beneficiary is new.")
    changed_bank_details: Steps = Field(title="Changed bank details",
                                        description="Added when the bank details differ from those on file.")
    unusual_channel: Steps = Field(title="Unusual channel",
                                   description="Added when the request came by a channel this counterparty does "
                                               "not normally use.")
    callback_refused: Steps = Field(title="Call-back refused",
                                    description="Added when the counterparty refused or discouraged a call-back.")


class VerdictRules(BaseModel):
    model_config = _STRICT

    low: Steps = Field(title="Verdict low", description="Added when the call's detectors found no signs of synthesis.")
    elevated: Steps = Field(title="Verdict elevated", description="Added when the call's risk is elevated.")
    high: Steps = Field(title="Verdict high", description="Added when the call's risk is high: hold and everything.")
    unknown: Steps = Field(title="Verdict unknown",
                           description="Added when the call could not be judged; must cover the full procedure.")
    no_call: Steps = Field(title="No call linked",
                           description="Added when the request is not linked to an analysed call.")


class Limits(BaseModel):
    model_config = _STRICT

    code_ttl_minutes: int = Field(10, ge=1, le=60, title="One-time code lifetime (minutes)",
                                  description="A generated code expires after this long.")
    code_max_failures: int = Field(3, ge=1, le=10, title="Wrong codes allowed",
                                   description="Wrong one-time codes, TOTPs or phrases before the request is rejected.")
    request_ttl_hours: int = Field(72, ge=1, le=720, title="Request lifetime (hours)",
                                   description="A request not released within this time after submission expires.")
    step_valid_minutes: int = Field(1440, ge=5, le=10080, title="Step validity (minutes)",
                                    description="A call-back or code confirmation older than this no longer counts "
                                                "at release.")
    new_counterparty_days: int = Field(90, ge=0, le=3650, title="New counterparty (days)",
                                       description="A counterparty with no released request, or added to the "
                                                   "directory less than this many days ago, is new.")


class Duties(BaseModel):
    """Who may perform a step: True keeps the requester from doing it on their own request. Approvals are
    always someone else's, and a one-time code is never shown to the requester, whatever this says."""

    model_config = _STRICT

    callback_by_other: bool = Field(True, title="Call-back by someone else",
                                    description="The call-back is made by someone other than the requester.")
    code_by_other: bool = Field(True, title="Code checked by someone else",
                                description="The one-time code or TOTP is read back to someone other than the "
                                            "requester.")
    phrase_by_other: bool = Field(True, title="Code phrase heard by someone else",
                                  description="The code phrase is heard by someone other than the requester.")

    def others_only(self) -> frozenset[str]:
        """Step kinds the requester may not perform (approvals always)."""
        kinds = {"approval"}
        if self.callback_by_other:
            kinds.add("callback")
        if self.code_by_other:
            kinds |= {"code", "totp"}
        if self.phrase_by_other:
            kinds.add("phrase")
        return frozenset(kinds)


class Policy(BaseModel):
    model_config = _STRICT

    schema_version: Literal[2] = Field(title="Schema version", description="Version of this document's layout.")
    name: str = Field(min_length=1, max_length=200, title="Name", description="Shown in reports and the evidence pack.")
    actions: ActionRules = Field(title="Rules by action type", description="Base steps for each kind of request.")
    amount_tiers: dict[str, list[AmountTier]] = Field(
        title="Amount tiers per currency",
        description="For each ISO 4217 currency, ascending tiers; the highest tier whose amount is reached applies.")
    unlisted_currency: Steps = Field(title="Unlisted currency",
                                     description="Steps for an amount in a currency without tiers.")
    new_counterparty: Steps = Field(title="New counterparty",
                                    description="Added when the counterparty is new (see limits).")
    checklist: ChecklistRules = Field(title="Checklist answers", description="Steps added by each red flag answered yes.")
    verdict: VerdictRules = Field(title="Call verdict", description="Steps added by the linked call's verdict level.")
    full_procedure: Steps = Field(title="Full procedure",
                                  description="What 'everything' means; verdicts unknown and high must cover it.")
    limits: Limits = Field(default_factory=Limits, title="Limits", description="Lifetimes and attempt limits.")
    duties: Duties = Field(default_factory=Duties, title="Segregation of duties",
                           description="Which steps must be done by someone other than the requester.")

    @field_validator("amount_tiers")
    @classmethod
    def _tiers_ascending(cls, value: dict[str, list[AmountTier]]) -> dict[str, list[AmountTier]]:
        for currency, tiers in value.items():
            if len(currency) != 3 or not currency.isalpha() or not currency.isupper():
                raise ValueError(f"{currency!r} is not an ISO 4217 code such as EUR")
            if not tiers:
                raise ValueError(f"{currency}: give at least one tier")
            amounts = [tier.at_least for tier in tiers]
            if amounts != sorted(set(amounts)):
                raise ValueError(f"{currency}: tiers must have strictly ascending at_least amounts")
        return value

    @model_validator(mode="after")
    def _fail_closed(self) -> "Policy":
        for level in ("unknown", "high"):
            if not getattr(self.verdict, level).covers(self.full_procedure):
                raise ValueError(f"verdict.{level} must cover full_procedure (fail closed)")
        if not self.checklist.callback_refused.covers(Steps(callback=True)):
            raise ValueError("checklist.callback_refused must require a call-back")
        return self
