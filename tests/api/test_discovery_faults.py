"""Capability discovery against replies that are well-formed but hold nothing (issue 21 item 4).

A group a query reply names without any parameter (`<ImageInfo></ImageInfo>`, result 200) is no answer: the group
is asked again on its own, else read with its document table (docs/wire-decisions.md "Capabilities from several
sources"); only a group that has no parameters at all (camera / ResetInfo) is taken empty from a query.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import custom_components.cgi_camera  # noqa: F401
from custom_components.cgi_camera.api import IntRange

if TYPE_CHECKING:
    from custom_components.cgi_camera.api import CgiCamera
    from tests.emulator import CameraEmulator

IMAGE_GROUPS = ("ImageInfo", "OSDInfo")


def _requests(
    emulator: CameraEmulator,
) -> list[tuple[str | None, str | None, str | None]]:
    return [(r.area, r.op, r.group) for r in emulator.requests]


async def test_empty_groups_in_group_all_are_asked_again(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """`image_query?Group=All` answering every group empty once: each group comes from its own query."""
    emulator.faults.push_for("image_query?Group=All", "empty-groups")
    found = await client.discover_capabilities("image", IMAGE_GROUPS)
    assert found.capabilities is not None
    assert found.capabilities.get("ImageInfo", "Brightness") == IntRange(0, 255)
    assert found.capabilities.get("OSDInfo", "TextOSDTitle") is not None
    for group in IMAGE_GROUPS:
        assert found.source(group) == "query-group", group
        assert (
            found.as_dict()[group]["reason"] == f"Group=All: {group} without parameters"
        )
        assert len(found.capabilities.blocks(group)) == 1
    assert _requests(emulator) == [
        ("image", "query", "All"),
        ("image", "query", "ImageInfo"),
        ("image", "query", "OSDInfo"),
    ]


async def test_empty_group_everywhere_falls_back_to_the_document(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """Every query of the area answers the group empty: the get reply and the document's table give it."""
    emulator.faults.push_for("image_query", "empty-groups", 3)
    found = await client.discover_capabilities("image", IMAGE_GROUPS)
    assert found.capabilities is not None
    assert found.source("ImageInfo") == "get+document"
    assert found.capabilities.get("ImageInfo", "Brightness") == IntRange(0, 255)
    reason = found.as_dict()["ImageInfo"]["reason"]
    assert reason.startswith(
        "Group=All: ImageInfo without parameters; Group=ImageInfo: ImageInfo without parameters; ranges: "
    )


async def test_empty_get_too_leaves_the_group_unsupported(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """Queries and the get all empty: nothing vouches for a parameter, so the group is not offered at all."""
    emulator.faults.push_for("image_query", "empty-groups", 3)
    emulator.faults.push_for("image_get", "empty-groups", 2)
    found = await client.discover_capabilities("image", IMAGE_GROUPS)
    assert found.capabilities is None
    assert found.source("ImageInfo") == "none"
    assert found.as_dict()["ImageInfo"]["reason"].endswith("get: empty reply")


async def test_a_group_without_parameters_is_taken_from_the_query(
    client: CgiCamera, emulator: CameraEmulator
) -> None:
    """camera / ResetInfo has no parameters: its empty query block is what it is, and costs no further request."""
    found = await client.discover_capabilities(
        "camera", ("BasicInfo", "ExposureInfo", "ResetInfo")
    )
    assert found.capabilities is not None
    assert found.capabilities.has_group("ResetInfo")
    assert found.source("ResetInfo") == "query"
    assert _requests(emulator) == [("camera", "query", "All")]
