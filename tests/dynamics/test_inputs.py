"""The kernel's named inputs: parameters copied by name, one compiled signature."""

import dataclasses

import numpy as np

from crowdsim.dynamics.crowd import CrowdState, SocialForceStepper
from crowdsim.dynamics.inputs import Forces, forces_from
from crowdsim.dynamics.integrator import advance
from crowdsim.dynamics.params import SocialForceParams
from crowdsim.dynamics.space import SpatialGrid


def test_every_kernel_parameter_is_a_social_force_parameter_of_the_same_name():
    names = {f.name for f in dataclasses.fields(SocialForceParams)}
    assert set(Forces._fields) <= names
    params = SocialForceParams(tau_s=0.4, a_n=1500.0, run_out_s=1.5)
    forces = forces_from(params)
    for name in Forces._fields:
        assert getattr(forces, name) == getattr(params, name)


def test_parameters_given_as_integers_reach_the_kernel_as_floats():
    forces = forces_from(SocialForceParams(headway_s=0, mass_kg=70))
    assert all(type(value) is float for value in forces)


def test_steppers_built_from_ints_or_floats_share_one_compiled_kernel():
    grid = SpatialGrid.periodic_corridor(10.0, 2.0, cell_m=2.5)
    field = np.zeros((1, 2, 2, 2), np.float32)
    field[..., 0] = 1.0
    for origin, h, params in [
        ((0, 0), 100, SocialForceParams(headway_s=0)),
        ((0.0, 0.0), 100.0, SocialForceParams()),
    ]:
        state = CrowdState.create(pos=np.array([[1.0, 1.0]]), v0=[1.0], radius=[0.2])
        stepper = SocialForceStepper(
            grid=grid,
            directions=field,
            field_origin=origin,
            field_h=h,
            params=params,
            n_agents=1,
            noise_key=3,
        )
        stepper.advance(state, 0.0, 2)
    assert len(advance.signatures) == 1
