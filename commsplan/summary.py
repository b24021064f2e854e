"""What the communication plan says about a case, for a plan that summarises it elsewhere
(events.signals.case_summary: the omställningsplan's kommunikationsstrategi, issue 15)."""

from commsplan.models import CommsPlan


def communication_summary(sender, *, event, section, **kwargs) -> str:
    """The plan's answered questions, one "question: answer" paragraph each; "" when the
    event has no plan or the section is another."""
    if section != "communication":
        return ""
    plan = CommsPlan.objects.filter(event=event).first()
    if plan is None:
        return ""
    return "\n\n".join(f"{label}: {answer}" for label, answer in plan.answers() if answer)
