"""Berthwise API application factory (placeholder for the documentation sample).

Endpoints are documented in API_REFERENCE.md; roles in AUTH_GUIDE.md.
"""

ROLES = ("viewer", "planner", "admin", "agent")


def require_role(role: str) -> str:
    """Every permission check goes through here, never inline in handlers."""
    if role not in ROLES:
        raise ValueError(f"unknown role: {role}")
    return role


def create_app() -> dict[str, str]:
    return {"/healthz": "ok", "/v1/vessel-calls": "vessel_calls"}
