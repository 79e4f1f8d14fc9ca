"""Each kommun's rules as a Markdown page, generated from its process
definition, roles table and mallar, so that what the documentation says and
what the engine enforces cannot drift apart (``iop docs`` writes the pages
under docs/kommuner/; a test fails when a committed page is out of date).

The titles, descriptions and messages are the plugin's own Swedish; the
frame around them is English, like the rest of docs/.
"""

from __future__ import annotations

from core.process import YES, Outcome, ProcessDefinition, Step, describe_deadline
from core.registry import KommunEntry, Registry

OUTCOME_KINDS = {"continue": "goes on", "stop": "stops the case", "redirect": "refers to another form of support",
                 "restart": "starts a new round", "end": "ends the partnership"}
REQUIREMENT_KINDS = {"field": "case detail", "form": "form", "document": "document", "decision": "step",
                     "meetings": "meetings", "contributions": "contributions"}


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _roles(entry: KommunEntry, keys: tuple[str, ...]) -> str:
    return ", ".join(r.title if (r := entry.roles.get(k)) else k for k in keys)


def _rules(ids: tuple[str, ...]) -> str:
    return ", ".join(ids) if ids else "–"


def _condition(process: ProcessDefinition, form: str, field: str, equals: str) -> str:
    definition = process.form(form)
    question = next((f.label for f in definition.fields if f.key == field), field) if definition else field
    if equals == YES:
        answer = "ja"
    elif equals == "nej":
        answer = "nej"
    else:
        answer = next((title for f in definition.fields if f.key == field for key, title in f.choices
                       if key == equals), equals) if definition else equals
    return f"“{question}” is answered “{answer}”"


def _outcome(process: ProcessDefinition, step: Step, outcome: Outcome) -> list[str]:
    """The outcome as a bullet, its conditions as bullets beneath it."""
    text = f"  - **{outcome.title}** ({OUTCOME_KINDS.get(outcome.kind, outcome.kind)}"
    if outcome.kind == "restart" and outcome.restart_at:
        restart = process.step(outcome.restart_at)
        text += f" from “{restart.title if restart else outcome.restart_at}”"
    text += ")" + (", with a written reason" if outcome.needs_reason else "")
    lines = [text]
    if outcome.when:
        lines[0] += ", only when:"
        lines += [f"    - {_condition(process, c.form, c.field, c.equals)}" for c in outcome.when]
    if outcome.exception_to:
        same = next((o for o in step.outcomes if o.when == outcome.exception_to and o is not outcome), None)
        if same is not None:
            lines[0] += f": a motivated exception, only when a condition of “{same.title}” does not hold"
        else:
            lines[0] += ": a motivated exception, only when one of these does not hold:"
            lines += [f"    - {_condition(process, c.form, c.field, c.equals)}" for c in outcome.exception_to]
    return lines


def _step(process: ProcessDefinition, entry: KommunEntry, step: Step, templates: dict[str, str]) -> list[str]:
    lines = [f"#### {step.title}", ""]
    if step.description:
        lines += [step.description, ""]
    lines.append(f"- Done by: {_roles(entry, step.owner_roles)}")
    if step.after:
        lines.append("- After: " + ", ".join(s.title if (s := process.step(k)) else k for k in step.after))
    if step.deadline is not None:
        lines.append(f"- Deadline: {describe_deadline(step.deadline)}" + (" (every year)" if step.recurring else ""))
    if step.form:
        form = process.form(step.form)
        lines.append(f"- Form: {form.title if form else step.form}")
    for req in step.requires:
        each = ", from each idéburen party" if req.each_party else ""
        lines.append(f"- Requires ({REQUIREMENT_KINDS.get(req.kind, req.kind)}{each}): {req.message}")
    if step.templates:
        lines.append("- Mallar: " + ", ".join(templates.get(k, k) for k in step.templates))
    if step.short_agreement_months:
        lines.append(f"- An agreement of {step.short_agreement_months} months or shorter needs a written reason")
    if step.sets_status:
        lines.append(f"- Moves the case to: {step.sets_status}")
    lines.append("- Outcomes:")
    for outcome in step.outcomes:
        lines += _outcome(process, step, outcome)
    lines.append(f"- Rules: {_rules(step.rule_ids)}")
    return [*lines, ""]


def markdown(registry: Registry, code: str) -> str:
    """The page for the kommun ``code`` (its newest process)."""
    entry = registry.kommuner[code]
    process = entry.process()
    name = entry.profile.name
    templates = {t.key: t.name for t in entry.templates}
    lines = [f"# {name}: {process.title}", "",
             f"Process version {process.version}, declared by the plugin `{entry.plugin}`. This page is generated "
             "from the process definition by `iop docs`; do not edit it by hand. What it says is what the "
             "platform enforces: a test fails when the page and the plugin disagree.", ""]
    lines += ["## Roles", "", "| Role | Responsibility | Rules |", "|---|---|---|"]
    lines += [f"| {_cell(r.title)} | {_cell(r.responsibility)} | {_rules(r.rule_ids)} |" for r in entry.roles.roles]
    lines += ["", "## Phases and steps", ""]
    for phase in process.phases:
        lines += [f"### {phase.title}", ""]
        for step in phase.steps:
            lines += _step(process, entry, step, templates)
    if process.meeting_rules:
        lines += ["## Meetings", "", "Only meetings marked held count; a planned meeting counts once someone marks "
                  "it held, and a cancelled one never.", "", "| Meeting | Rule | Convened by | Rules |",
                  "|---|---|---|---|"]
        for rule in process.meeting_rules:
            parts = []
            if rule.per_year_min:
                parts.append(f"at least {rule.per_year_min} a year while the agreement runs")
            if rule.offer_stop_after:
                parts.append(f"stopping is offered after {rule.offer_stop_after}")
            if rule.total_max:
                parts.append(f"at most {rule.total_max} in all")
            lines.append(f"| {rule.title} | {', '.join(parts) or '–'} | {_roles(entry, rule.owner_roles) or '–'} | "
                         f"{_rules(rule.rule_ids)} |")
        lines.append("")
    if process.agreement is not None:
        rule = process.agreement
        decided = process.step(rule.decided_at_step)
        lines += ["## The agreement", "",
                  f"- Decided at: {decided.title if decided else rule.decided_at_step}; from then its period, goals "
                  "and contributions change only through a recorded ändring",
                  f"- Signed for the kommun by: {_roles(entry, rule.signatory_roles)}; each idéburen party signs "
                  "through its authorised signatory in the portal",
                  f"- Ändringar decided by: {_roles(entry, rule.amended_by_roles)}"]
        if rule.assessed_at_step:
            assessed = process.step(rule.assessed_at_step)
            lines.append(f"- Assessed at: {assessed.title if assessed else rule.assessed_at_step}; a changed "
                         "version is signed only after a new assessment")
        lines.append("")
    if process.forms:
        lines += ["## Forms", ""]
        for form in process.forms:
            who = "the idéburen party, in the portal" if form.produces else "staff, on the partnership"
            lines += [f"### {form.title}", "", f"Filled in by {who}. Rules: {_rules(form.rule_ids)}.", ""]
            lines += [f"- {field.label}" + ("" if field.required else " (optional)") for field in form.fields]
            lines.append("")
    if entry.templates:
        lines += ["## Mallar", "", "| Mall | Filled in by | Rules |", "|---|---|---|"]
        for t in entry.templates:
            who = "the idéburen party" if t.filled_by == "organisation" else "staff"
            lines.append(f"| {_cell(t.name)} | {who} | {_rules(t.rule_ids)} |")
        lines.append("")
    lines += _index(process, entry)
    return "\n".join(lines).rstrip() + "\n"


def _index(process: ProcessDefinition, entry: KommunEntry) -> list[str]:
    """Every rule id, with where the platform implements it."""
    where: dict[str, list[str]] = {}
    for step in process.steps():
        for rid in step.rule_ids:
            where.setdefault(rid, []).append(f"step “{step.title}”")
    for form in process.forms:
        for rid in form.rule_ids:
            where.setdefault(rid, []).append(f"form “{form.title}”")
    for rule in process.meeting_rules:
        for rid in rule.rule_ids:
            where.setdefault(rid, []).append(f"meetings “{rule.title}”")
    for role in entry.roles.roles:
        for rid in role.rule_ids:
            where.setdefault(rid, []).append(f"role “{role.title}”")
    for t in entry.templates:
        for rid in t.rule_ids:
            where.setdefault(rid, []).append(f"mall “{t.name}”")
    if not where:
        return []

    def order(rid: str) -> tuple:
        prefix, _, number = rid.partition("-")
        return (prefix, int(number) if number.isdigit() else 0)

    lines = ["## Rules and where they are enforced", "", "| Rule | Where |", "|---|---|"]
    lines += [f"| {rid} | {_cell('; '.join(where[rid]))} |" for rid in sorted(where, key=order)]
    return [*lines, ""]


def pages(registry: Registry) -> dict[str, str]:
    """File name → page, for every installed kommun with a process of its own."""
    return {f"{code}.md": markdown(registry, code) for code, entry in sorted(registry.kommuner.items())
            if entry.processes}
