"""What a camera supports, from the best source it answers (docs/wire-decisions.md "Capabilities from several sources").

Per area: the `_query?Group=All` reply; for each known group it lacks, `_query?Group=<group>`; when that is missing
too, the group's `_get` reply (a parameter present exists) with the document's ranges (document_ranges.py); else
nothing. "Missing" is a refusal the camera means (a result code other than 503, HTTP 404, a reply without the group),
or a reply that names the group without a parameter (`<ImageInfo></ImageInfo>`, issue 21): that is asked again,
never kept as "supported, nothing in it" (but for the few groups that have no parameters, NO_PARAMETERS).
A transient failure (connection, timeout, 503, a reply that is not XML, 401) is raised: it never makes a group
unsupported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final, Literal

from .capabilities import Capabilities, CapabilityBlock
from .document_ranges import DOCUMENT_RANGES, DocumentedGroup
from .errors import CgiError, NotFound, ResultCodeError, ServerFailed
from .wire import known_groups

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from .client import CgiCamera

__all__ = [
    "KNOWN_GROUPS",
    "CameraCapabilities",
    "CapabilitySource",
    "DiscoveredCapabilities",
    "GroupDiscovery",
    "discover_area",
]

type CapabilitySource = Literal["query", "query-group", "get+document", "none"]

# The groups the integration reads, per area (api/wire.py GROUPS).
KNOWN_GROUPS: Final[Mapping[str, tuple[str, ...]]] = known_groups()

_UNDOCUMENTED: Final = DocumentedGroup("not in the document", {})

# The document's set-only groups without parameters: an empty query block is all they are. Any other group a reply
# names without a parameter is no answer (issue 21): it is asked again, it is not "supported, nothing in it".
NO_PARAMETERS: Final = frozenset(
    {
        ("sys", "Reboot"),
        ("sys", "RmTemplate"),
        ("sys", "RmSerialnum"),
        ("camera", "ResetInfo"),
    }
)


def _answered(
    area: str, caps: Capabilities, group: str
) -> list[CapabilityBlock] | None:
    """Return the blocks of `group` that hold parameters; None when the reply names it with none (see NO_PARAMETERS).

    A group the reply does not name gives an empty list.
    """
    blocks = caps.blocks(group)
    if (area, group) in NO_PARAMETERS:
        return blocks
    kept = [block for block in blocks if block]
    return None if blocks and not kept else kept


@dataclass(frozen=True, slots=True)
class GroupDiscovery:
    """Where one group's capabilities came from; `reason` says why better sources were not used (or why none)."""

    group: str
    source: CapabilitySource
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class DiscoveredCapabilities:
    """One area: its capabilities (None when the camera offers nothing) and the source of each group."""

    area: str
    capabilities: Capabilities | None
    groups: tuple[GroupDiscovery, ...]

    def source(self, group: str) -> CapabilitySource:
        """Return where `group`'s capabilities came from ("none" for a group not looked at)."""
        for found in self.groups:
            if found.group == group:
                return found.source
        return "none"

    def as_dict(self) -> dict[str, Any]:
        """Return {group: {"source": ..., "reason": ...}} for diagnostics (no values, no credentials)."""
        return {
            found.group: {"source": found.source, "reason": found.reason}
            for found in self.groups
        }


@dataclass(frozen=True, slots=True)
class CameraCapabilities:
    """Every area the integration asked about."""

    areas: Mapping[str, DiscoveredCapabilities]

    @property
    def by_area(self) -> dict[str, Capabilities]:
        """Return {area: Capabilities} for the areas where the camera offers something."""
        return {
            area: found.capabilities
            for area, found in self.areas.items()
            if found.capabilities is not None
        }

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """Return {area: {group: {"source", "reason"}}} for diagnostics."""
        return {area: found.as_dict() for area, found in self.areas.items()}


def _refusal(err: CgiError) -> str:
    """Describe a refusal the camera means; re-raise anything transient."""
    if isinstance(err, ResultCodeError) and not isinstance(err, ServerFailed):
        return f"result {err.code}"
    if isinstance(err, NotFound):
        return "HTTP 404"
    raise err


async def discover_area(
    client: CgiCamera, area: str, groups: Iterable[str]
) -> DiscoveredCapabilities:
    """Return `area`'s capabilities, each known group from the best source the camera answers."""
    blocks: list[CapabilityBlock] = []
    found: dict[str, GroupDiscovery] = {}
    # Groups that Group=All names without a parameter: why each is asked again.
    empty: dict[str, str] = {}
    all_missing: str | None
    try:
        everything = await client.query(area)
    except CgiError as err:
        all_missing = f"Group=All: {_refusal(err)}"
    else:
        all_missing = "Group=All: empty reply" if not everything.groups else None
        for name in everything.groups:
            if answered := _answered(area, everything, name):
                blocks.extend(answered)
                found[name] = GroupDiscovery(name, "query")
            else:  # named, but without a parameter
                empty[name] = f"Group=All: {name} without parameters"
    for group in dict.fromkeys(groups):
        if group in found:
            continue
        reasons = [
            all_missing or empty.get(group) or "Group=All: group not in the reply"
        ]
        try:
            own = await client.query(area, group)
        except CgiError as err:
            reasons.append(f"Group={group}: {_refusal(err)}")
        else:
            if answered := _answered(area, own, group):
                blocks.extend(answered)
                found[group] = GroupDiscovery(group, "query-group", "; ".join(reasons))
                continue
            what = (
                "empty reply" if answered is not None else f"{group} without parameters"
            )
            reasons.append(f"Group={group}: {what}")
        found[group] = await _from_get(client, area, group, reasons, blocks)
    return DiscoveredCapabilities(
        area, Capabilities(blocks, area) if blocks else None, tuple(found.values())
    )


async def _from_get(
    client: CgiCamera,
    area: str,
    group: str,
    reasons: list[str],
    blocks: list[CapabilityBlock],
) -> GroupDiscovery:
    """Build `group`'s capabilities from its get reply and the document's table (appended to `blocks`)."""
    try:
        values = await client.get(area, group)
    except CgiError as err:
        reasons.append(f"get: {_refusal(err)}")
        return GroupDiscovery(group, "none", "; ".join(reasons))
    if not values:
        reasons.append("get: empty reply")
        return GroupDiscovery(group, "none", "; ".join(reasons))
    documented = DOCUMENT_RANGES.get((area, group), _UNDOCUMENTED)
    caps = {name: documented.capability(name) for name in values}
    caps |= {name: documented.params[name] for name in sorted(documented.commands)}
    blocks.append(CapabilityBlock(group, caps))
    reasons.append(f"ranges: {documented.source}")
    return GroupDiscovery(group, "get+document", "; ".join(reasons))
