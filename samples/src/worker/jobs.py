"""Worker job definitions (placeholder). See docs/architecture/worker-pipeline.md."""

QUEUES = ("replan", "notify", "deliver")


def idempotency_key(terminal_id: int, plan_version: int) -> str:
    # two changes against the same plan version must trigger a single solver run
    return f"terminal:{terminal_id}:{plan_version}"
