"""Properties of plans: any pair of trees gives a plan, in any file order, and a tree
compared with itself changes nothing."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from manifestgen.options import BuildOptions
from manifestgen.pipeline import run
from manifestgen.plan.compute import compute_plan
from manifestgen.plan.json_doc import render_json
from manifestgen.plan.markdown import render_markdown
from manifestgen.plan.model import Baseline
from manifestgen.plan.run import PlanResult
from manifestgen.plan.svg import render_svg
from tests.plan.support import make_plan_repo

Tree = dict[str, bytes]
_BASE = Baseline("out")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Tree:
    repo = make_plan_repo(tmp_path_factory.mktemp("plan-properties") / "repo")
    return dict(run(BuildOptions(root=repo, mode="validate", check_output=False)).tree)


# What a tree may suffer: a file dropped, its bytes replaced (by junk, by another file's
# content, by YAML of the wrong shape), or a file moved to another path.
_JUNK = st.sampled_from(
    [b"", b"\xff\xfe", b"- a\n- b\n", b"kind: NodePool\nspec: 3\n", b"a: [\n", b"{}\n"]
)
_EDITS = st.lists(
    st.tuples(st.sampled_from(["drop", "junk", "swap", "move"]), st.integers(0, 10**6), _JUNK),
    max_size=8,
)


def _mutate(tree: Tree, edits: list[tuple[str, int, bytes]]) -> Tree:
    changed = dict(tree)
    for action, pick, junk in edits:
        if not changed:
            break
        paths = sorted(changed)
        path = paths[pick % len(paths)]
        other = paths[(pick // 7) % len(paths)]
        if action == "drop":
            del changed[path]
        elif action == "junk":
            changed[path] = junk
        elif action == "swap":
            changed[path] = changed[other]
        else:
            changed[f"train-c/{path.split('/', 1)[-1]}"] = changed.pop(path)
    return changed


def _listed(tree: Tree) -> Tree:
    return {
        path: content for path, content in tree.items() if not path.endswith("/kustomization.yaml")
    }


@given(edits=_EDITS, reverse=st.booleans())
@example(edits=[("junk", 0, b"kind: NodePool\nspec: 3\n")], reverse=False)
@example(edits=[("drop", 19, b"")], reverse=False)
def test_any_pair_of_trees_gives_a_plan_in_any_order(
    built: Tree, edits: list[tuple[str, int, bytes]], reverse: bool
) -> None:
    after = _mutate(built, edits)
    plan = compute_plan(_BASE, built, after, None, {("train-a", "a100-80gb"): 32})
    shuffled = dict(reversed(after.items())) if reverse else after
    again = compute_plan(
        _BASE, dict(reversed(built.items())), shuffled, None, {("train-a", "a100-80gb"): 32}
    )
    assert plan == again
    assert render_markdown(plan) == render_markdown(again)
    assert render_svg(plan) == render_svg(again)
    render_json(PlanResult((), plan))
    # kustomization.yaml files only list the others: they are not changes of their own.
    assert plan.changed == (_listed(after) != _listed(built))


@given(edits=_EDITS)
def test_a_tree_against_itself_changes_nothing(
    built: Tree, edits: list[tuple[str, int, bytes]]
) -> None:
    tree = _mutate(built, edits)
    plan = compute_plan(_BASE, tree, tree, None, None)
    assert not plan.changed
    assert all(c.jobs == () and c.node_pools == () and c.claims == () for c in plan.clusters)
    for cluster in plan.clusters:
        assert all(not row.changed for row in cluster.gpus)
