"""Who wins a heat (variant ``heat_win``): in qualifying rounds the first place is drawn at a
temperature of its own.

A runner sure to qualify need not win his heat or semi-final, so the top of a qualifying round
is not contested the way a final is: in the yardstick, the default's favourites in 45
championship heats were given P(win) 0.50 and won 0.31 of them. With the spec's ``heat_win``,
the winner of a heat or semi-final is drawn from ``softmax(v * exp(-omega))`` (``omega`` is
``heat_win_noise``, learned; 0 is the plain Plackett-Luce), and the rest of the order, as
before, by Plackett-Luce on ``v`` among the runners left. Per race the log-likelihood changes
by

    [v_1 e^-omega - logsumexp(v e^-omega)] - [v_1 - logsumexp(v)]

over the race's ranked runners, where slot 1 is the winner. It applies to the heats and
semi-finals whose winner is in the data (a race known only by some of its runners, without
the winner, keeps the plain ranking). The forecast side is the race law's ``first_scale``
(:class:`~rivalrymodel.models.pl_law.PlackettLuceLaw`).
"""

from __future__ import annotations

import numpy as np
import pytensor.tensor as pt

from ...data.schema import Round

__all__ = ["races", "correction", "first_scale", "race_scale", "QUALIFYING"]

QUALIFYING = (Round.HEAT.value, Round.SEMI.value)


def races(design) -> np.ndarray:
    """Indices of the races the term reads: qualifying rounds whose winner is in the data."""
    qualifying = np.isin(design.race_round, QUALIFYING)
    return np.flatnonzero(qualifying & design.race_winner_seen)


def correction(u, tau, omega, design) -> pt.TensorVariable:
    """The change of each race's log-likelihood (PyMC; zeros outside :func:`races`).

    ``u`` are the utilities per observation, ``tau`` the noise scale per race and ``omega``
    the log of the winner's extra temperature.
    """
    from ..design import SLOT_PAD  # the design module imports the terms

    rows = races(design)
    out = pt.zeros(design.n_races)
    if not len(rows):
        return out
    kind = design.slot_kind[rows]
    width = int((kind != SLOT_PAD).sum(axis=1).max())
    present = kind[:, :width] != SLOT_PAD
    u_pad = pt.concatenate([u, pt.zeros(1)])
    v = u_pad[design.slots[rows, :width]] / tau[rows][:, None]
    scale = pt.exp(-omega)
    # log-sum-exp over the present slots, shifted by the race's best so that nothing overflows;
    # padding gets weight 0 (masking after the log would give NaN gradients).
    top = pt.max(pt.where(present, v, -1e30), axis=1)
    plain = top + pt.log(pt.sum(pt.where(present, pt.exp(v - top[:, None]), 0.0), axis=1))
    hot = v * scale
    hot_top = top * scale
    tempered = hot_top + pt.log(
        pt.sum(pt.where(present, pt.exp(hot - hot_top[:, None]), 0.0), axis=1)
    )
    change = (hot[:, 0] - tempered) - (v[:, 0] - plain)
    return pt.set_subtensor(out[rows], change)


def first_scale(posterior, round: str, repeats: int = 1) -> np.ndarray | None:
    """Per posterior draw (each ``repeats`` times), the factor ``exp(-omega)`` on the utilities
    that draw the winner of a race of ``round``; None for a final or a fit without the term."""
    if round not in QUALIFYING or not posterior.has("heat_win_noise"):
        return None
    return np.repeat(np.exp(-posterior.draws("heat_win_noise")), repeats)


def race_scale(design, omega: np.ndarray) -> np.ndarray:
    """The winner's factor per draw of ``omega`` (any shape) and race of ``design``: shape
    ``omega.shape + (races,)``, ``exp(-omega)`` in qualifying rounds and 1 in finals."""
    qualifying = np.isin(design.race_round, QUALIFYING)
    omega = np.asarray(omega, dtype=float)[..., None]
    return np.where(qualifying, np.exp(-omega), 1.0)
