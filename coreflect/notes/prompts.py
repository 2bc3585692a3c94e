"""The notes template's prompts (spec §4), in our own words: the help text under each field.
An organisation replaces any of them with the NOTES_PROMPTS setting (a mapping of field name to
text), so its own template wording shows without a code change."""

from django.conf import settings

DEFAULT_PROMPTS = {
    "wellbeing": "How are you today? Is there anything we should make time for first?",
    "actions_review": "What happened with the actions we agreed last time? Anything still open "
    "carries on.",
    "last_notes_agreed": "Did you agree the notes of our last session?",
    "challenging": "What has been hard since we last met: in your peer relationships, with "
    "colleagues, or in staying true to the peer support values?",
    "gone_well": "What has gone well, and what are you proud of?",
    "caseload_examples": "Examples from the people you support. Use pseudonyms or initials "
    "only, never a name or an NHS number.",
    "topics_to_return": "Anything to come back to next time.",
    "reflection": "Take one situation through the questions below.",
    "values": "Which peer support values did this reflection touch on?",
}


def prompt_for(field: str) -> str:
    overrides: dict[str, str] = getattr(settings, "NOTES_PROMPTS", {})
    return overrides.get(field, DEFAULT_PROMPTS.get(field, ""))
