"""Exit choice as people make it: a multinomial logit on what an evacuee sees of each exit.

Each open exit e has, for a person at x, the utility

    V_e = β_dist·DIST + β_cong·CONG + β_flow·FLOW + β_vis·VIS + β_fam·FAM + ε_e

* DIST: walking distance from x to the exit (m);
* CONG: people gathered at the exit: everybody inside within ``congestion_radius_m`` of the
  exit line (persons);
* FLOW: people walking towards the exit: those heading for it farther than that from it, the
  person choosing not counted (persons); its coefficient depends on whether the exit is visible
  (β_flow,vis) or not (β_flow,hid), as in the published model;
* VIS: 1 if the exit can be seen from x, else 0: the straight line to it is the walking route,
  the walking distance exceeding the straight-line distance by at most 5 % + 1 m (a screen or
  a corner in the way makes the walk longer);
* FAM: 1 for the exit the person knows (their group's ``familiar`` exit), else 0;
* ε_e: a Gumbel-distributed taste, drawn once per person and exit at the start, so that the
  choice probabilities are the multinomial logit's (McFadden 1974) and a person re-evaluating
  the same situation makes the same choice.

The person takes the exit of largest utility, at the start and again every ``reconsider_s``.
The default coefficients are those Haghani, Sarvi & Rajabifard (Transp. Res. Record 2672, 2018)
estimated on revealed exit choices in evacuation drills (3,338 observations; the same variables
as Haghani & Sarvi, Transp. Res. B 95, 2017): distance −0.256, congestion −0.138, flow towards a
visible exit −0.024, towards an invisible exit +0.093, visibility +0.710. Familiarity is not
among their variables: its coefficient is 0 unless the scenario sets one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: An exit counts as visible where the walking distance to it exceeds the straight-line
#: distance by at most this share...
VISIBLE_DETOUR = 0.05
#: ...plus this much (m): the navigation's walking distances carry the cost of the wall
#: clearance beside the exit and the start (about 0.5 m in an open hall) and the grid's errors.
VISIBLE_SLACK_M = 1.0


@dataclass(frozen=True)
class ExitLogit:
    """Coefficients of the exit-choice logit (utility units per unit of each variable).

    Attributes:
        distance_per_m: β_dist, per metre of walking distance (−0.256, Haghani et al. 2018).
        congestion_per_person: β_cong, per person gathered at the exit (−0.138, idem).
        flow_visible_per_person: β_flow,vis, per person walking towards a visible exit
            (−0.024, idem).
        flow_hidden_per_person: β_flow,hid, per person walking towards an exit the chooser
            cannot see (+0.093, idem: people follow others to an exit they cannot see).
        visible: β_vis, for an exit the chooser can see (+0.710, idem).
        familiar: β_fam, for the exit the chooser knows (0: no published value in this model).
        congestion_radius_m: People within this distance of the exit line count as gathered
            at it (2 m).
    """

    distance_per_m: float = -0.256
    congestion_per_person: float = -0.138
    flow_visible_per_person: float = -0.024
    flow_hidden_per_person: float = 0.093
    visible: float = 0.710
    familiar: float = 0.0
    congestion_radius_m: float = 2.0

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not np.isfinite(value):
                raise ValueError(f"logit {name} must be a finite number, got {value!r}")
        if self.congestion_radius_m <= 0:
            raise ValueError(
                f"logit congestion_radius_m must be > 0 m, got {self.congestion_radius_m!r}"
            )


def segment_distance(points: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Straight-line distances (n_points, n_segments) from ``points`` (n, 2) to segments a–b."""
    ab = b - a  # (s, 2)
    ap = points[:, None, :] - a[None, :, :]  # (n, s, 2)
    length2 = np.maximum((ab * ab).sum(axis=1), 1e-18)
    t = np.clip((ap * ab[None]).sum(axis=2) / length2[None], 0.0, 1.0)
    nearest = a[None] + t[..., None] * ab[None]
    return np.linalg.norm(points[:, None, :] - nearest, axis=2)


def utilities(
    logit: ExitLogit,
    *,
    walk_m: np.ndarray,
    straight_m: np.ndarray,
    gathered: np.ndarray,
    walking_to: np.ndarray,
    familiar: np.ndarray,
) -> np.ndarray:
    """Systematic utilities V (n_people, n_exits), without the tastes ε.

    Args:
        logit: The coefficients.
        walk_m: (n, e) walking distances (m).
        straight_m: (n, e) straight-line distances to the exit lines (m).
        gathered: (e,) people gathered at each exit.
        walking_to: (n, e) people walking towards each exit, as each chooser sees it.
        familiar: (n, e) True for each chooser's familiar exit.
    """
    visible = walk_m <= straight_m * (1.0 + VISIBLE_DETOUR) + VISIBLE_SLACK_M
    flow_beta = np.where(visible, logit.flow_visible_per_person, logit.flow_hidden_per_person)
    return (
        logit.distance_per_m * walk_m
        + logit.congestion_per_person * gathered[None, :]
        + flow_beta * walking_to
        + logit.visible * visible
        + logit.familiar * familiar
    )
