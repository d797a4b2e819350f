"""Campaign members: every lead responded to its source campaign; a fifth were also
invited to a later webinar (and some of those attended). On conversion Salesforce fills
`contact_id`, which is a change the delta must carry.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo_data.campaigns import CAMPAIGN, TYPES, CampaignPlan
from orchestration.demo_data.frame import Codes, Frame, Ids
from orchestration.demo_data.funnel import Funnel
from orchestration.demo_data.jp_calendar import NULL, instant, office_seconds
from orchestration.demo_data.leads import LEAD, Leads
from orchestration.demo_data.opportunities import CONTACT

MEMBER = "00v"


@dataclass
class Members:
    lead: np.ndarray
    campaign: np.ndarray
    created: np.ndarray
    responded: np.ndarray  # JST day of the response, NULL for `Sent`


def build_members(rng: np.random.Generator, leads: Leads, plan: CampaignPlan, last: int) -> Members:
    webinars = np.flatnonzero(plan.type_code == TYPES.index("Webinar"))
    webinars = webinars[np.argsort(plan.start[webinars], kind="stable")]
    invited = np.flatnonzero(rng.random(leads.size) < 0.2)
    pick = np.searchsorted(plan.start[webinars], leads.day[invited] + 7) + rng.integers(0, 3, invited.size)
    invited, pick = invited[pick < webinars.size], pick[pick < webinars.size]
    campaign = webinars[pick]
    event_day = plan.start[campaign]
    attended = rng.random(invited.size) < 0.4
    created = np.where(
        attended,
        instant(event_day, 14 * 3600 + rng.integers(0, 3600, invited.size)),
        instant(event_day - 10, office_seconds(rng, invited.size)),
    )
    ok = (created > leads.created[invited]) & (created <= last)

    lead = np.concatenate([np.arange(leads.size), invited[ok]])
    order = np.argsort(np.concatenate([leads.created + 2, created[ok]]), kind="stable")
    return Members(
        lead=lead[order],
        campaign=np.concatenate([leads.campaign, campaign[ok]])[order],
        created=np.concatenate([leads.created + 2, created[ok]])[order],
        responded=np.concatenate([leads.day, np.where(attended[ok], event_day[ok], NULL)])[order],
    )


def member_frame(members: Members, funnel: Funnel, contact_of_lead: np.ndarray, low: int, high: int) -> Frame:
    """Members whose version as of `high` was written in (low, high]; ids follow creation order."""
    t_convert = funnel.t_convert[members.lead]
    linked = (t_convert != NULL) & (t_convert <= high) & (contact_of_lead[members.lead] != NULL)
    modstamp = np.where(linked, np.maximum(t_convert, members.created), members.created)
    rows = np.flatnonzero((members.created <= high) & (modstamp > low))
    responded = members.responded[rows] != NULL
    return {
        "id": Ids(MEMBER, rows + 1),
        "created_date": members.created[rows],
        "system_modstamp": modstamp[rows],
        "last_modified_date": modstamp[rows],
        "is_deleted": np.zeros(rows.size, dtype=bool),
        "campaign_id": Ids(CAMPAIGN, members.campaign[rows] + 1),
        "lead_id": Ids(LEAD, members.lead[rows] + 1),
        "contact_id": Ids(CONTACT, np.where(linked[rows], contact_of_lead[members.lead[rows]] + 1, NULL)),
        "status": Codes(("Sent", "Responded"), responded.astype(np.int8)),
        "has_responded": responded,
        "first_responded_date": members.responded[rows],
    }
