"""Schemathesis hooks for scripts/fuzz-api: the right role's real token on every operation, and path parameters that
name the real site and agent most of the time, so the handlers run and not only their 403s and 404s.

scripts/fuzz-api sets the environment this reads: USHER_FUZZ_<ROLE>_TOKEN for the admin, metrics, ops, website, bot
and agent tokens, USHER_FUZZ_SITE (the site the site tokens belong to), USHER_FUZZ_SCRATCH_SITE (the one the admin's
PUT /v1/sites/{site} edits) and USHER_FUZZ_AGENT (the agent the agent token is bound to).
"""

import os
import zlib

import schemathesis
from schemathesis.core.parameters import ParameterLocation
from schemathesis.generation.meta import negated_parameters
from schemathesis.openapi.checks import RejectedPositiveData

TOKENS = {role: os.environ[f"USHER_FUZZ_{role.upper()}_TOKEN"] for role in ("admin", "metrics", "ops", "website", "bot", "agent")}
SITE = os.environ["USHER_FUZZ_SITE"]
SCRATCH_SITE = os.environ["USHER_FUZZ_SCRATCH_SITE"]
AGENT = os.environ["USHER_FUZZ_AGENT"]
QUEUES = ("default", "support")

# One role per operation, the one the contract names first (the others are covered by the Swift tests of roles).
# End and first response take the ops token: an agent token reaches only its own agent's chats, and the chats the
# stateful links lead to are assigned to whichever agent was least loaded.
ROLES = {
    ("PUT", "/v1/sites/{site}"): "admin",
    ("POST", "/v1/sites/{site}/invitations"): "website",
    ("POST", "/v1/sites/{site}/invitations/{id}/accept"): "website",
    ("POST", "/v1/sites/{site}/invitations/{id}/decline"): "website",
    ("POST", "/v1/sites/{site}/chats"): "bot",
    ("GET", "/v1/sites/{site}/chats/{id}"): "website",
    ("POST", "/v1/sites/{site}/chats/{id}/cancel"): "website",
    ("PUT", "/v1/sites/{site}/agents/{agent}/presence"): "agent",
    ("GET", "/v1/sites/{site}/agents/{agent}/chats"): "agent",
    ("GET", "/metrics"): "metrics",
}


def role_of(method: str, path: str) -> str | None:
    """The role whose token the operation gets: ops for the rest of the site API, none for the public endpoints."""
    role = ROLES.get((method.upper(), path))
    if role is None and path.startswith("/v1/sites/"):
        role = "ops"
    return role


@schemathesis.auth(refresh_interval=None)
class RoleTokens:
    def get(self, case, context):
        role = role_of(context.operation.method, context.operation.path)
        return TOKENS[role] if role else None

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


def real_value(name: str, method: str, path: str) -> str | None:
    if name == "site":
        return SCRATCH_SITE if (method.upper(), path) == ("PUT", "/v1/sites/{site}") else SITE
    if name == "agent":
        return AGENT
    return None


@schemathesis.hook
def map_case(context, case):
    """Nine cases in ten name the real site and agent; the tenth keeps the generated value, and so does a negative
    case that set out to break that very parameter. The choices hash the generated values, so a seed replays them."""
    negated = {name for name, location in negated_parameters(case.meta) if location == ParameterLocation.PATH}
    for name, value in list((case.path_parameters or {}).items()):
        real = real_value(name, case.operation.method, case.operation.path)
        if real is None or name in negated or not isinstance(value, str):
            continue
        if zlib.crc32(value.encode("utf-8", "surrogatepass")) % 10:
            case.path_parameters[name] = real
    # Whether a queue is known depends on the site's state (its settings, the agents serving): valid data names one
    # that is, so that it is not refused for the state instead of for its shape.
    if case.meta is not None and case.meta.generation.mode.is_positive and isinstance(case.body, dict):
        if isinstance(case.body.get("queue"), str):
            case.body["queue"] = QUEUES[zlib.crc32(case.body["queue"].encode("utf-8", "surrogatepass")) % len(QUEUES)]
    return case


# Valid data the schema cannot tell from invalid: whether a time zone exists is for the IANA database, and how many
# points a period holds at a step is capped by `--history-max-points`, and `from` must come before `to`. Each is refused with 400 naming the field.
BEYOND_THE_SCHEMA = {
    ("PUT", "/v1/sites/{site}/hours", "timeZone"), ("GET", "/v1/sites/{site}/capacity/history", "step"),
    ("GET", "/v1/sites/{site}/capacity/history", "from"),
}


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return True
    try:
        field = response.json()["error"]["field"]
    except (ValueError, KeyError, TypeError):
        return True
    return (case.operation.method.upper(), case.operation.path, field) not in BEYOND_THE_SCHEMA
