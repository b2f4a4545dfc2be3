"""finfo, iinfo, promote_types, result_type, can_cast, is_floating_point, is_complex against
PyTorch, for every dtype autograd_lab supports."""
import itertools
import pickle

import pytest

import autograd_lab as al

torch = pytest.importorskip("torch")

NAMES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]
FLOATS = ["float16", "float32", "float64"]
INTS = ["uint8", "int8", "int16", "int32", "int64"]
PAIRS = list(itertools.product(NAMES, NAMES))


def both(name):
    return getattr(al, name), getattr(torch, name)


def raised(fn):
    """The exception type and first line of its message (result_type's list of the accepted
    signatures is shorter than PyTorch's)."""
    with pytest.raises(Exception) as info:
        fn()
    return type(info.value), str(info.value).splitlines()[0]


@pytest.mark.parametrize("name", FLOATS)
def test_finfo_matches_torch(name):
    ours, theirs = al.finfo(getattr(al, name)), torch.finfo(getattr(torch, name))
    for attr in ("bits", "eps", "max", "min", "tiny", "smallest_normal", "resolution", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs) and str(ours) == str(theirs)


def test_finfo_defaults_to_the_default_dtype():
    assert repr(al.finfo()) == repr(torch.finfo())
    al.set_default_dtype(al.float64)
    try:
        assert al.finfo().dtype == "float64"
    finally:
        al.set_default_dtype(al.float32)


@pytest.mark.parametrize("name", INTS)
def test_iinfo_matches_torch(name):
    ours, theirs = al.iinfo(getattr(al, name)), torch.iinfo(getattr(torch, name))
    for attr in ("bits", "max", "min", "dtype"):
        assert getattr(ours, attr) == getattr(theirs, attr), attr
        assert type(getattr(ours, attr)) is type(getattr(theirs, attr)), attr
    assert repr(ours) == repr(theirs)


@pytest.mark.parametrize("call", [
    lambda m: m.finfo(m.int32), lambda m: m.iinfo(m.float32), lambda m: m.iinfo(m.bool),
    lambda m: m.finfo(3), lambda m: m.iinfo("int32"), lambda m: m.promote_types(m.int32, "x"),
    lambda m: m.can_cast(1, m.int32), lambda m: m.is_floating_point(3),
    lambda m: m.is_complex([1.0]), lambda m: m.result_type(m.ones(1), "a"),
])
def test_argument_errors_match_torch(call):
    assert raised(lambda: call(al)) == raised(lambda: call(torch))


@pytest.mark.parametrize("a,b", PAIRS)
def test_promote_types_and_can_cast_match_torch(a, b):
    (da, ta), (db, tb) = both(a), both(b)
    assert repr(al.promote_types(da, db)) == repr(torch.promote_types(ta, tb))
    assert al.can_cast(da, db) == torch.can_cast(ta, tb)


SCALARS = [True, 3, -1, 2.5]


@pytest.mark.parametrize("a,b", PAIRS)
def test_result_type_of_tensors_matches_torch(a, b):
    (da, ta), (db, tb) = both(a), both(b)
    for shape_a, shape_b in [((2,), (2,)), ((), (2,)), ((2,), ()), ((), ())]:
        ours = al.result_type(al.zeros(shape_a, dtype=da), al.zeros(shape_b, dtype=db))
        assert repr(ours) == repr(torch.result_type(torch.zeros(shape_a, dtype=ta),
                                                    torch.zeros(shape_b, dtype=tb)))


@pytest.mark.parametrize("name", NAMES)
def test_result_type_with_scalars_matches_torch(name):
    d, t = both(name)
    for s, shape in itertools.product(SCALARS, [(), (3,)]):
        assert repr(al.result_type(al.zeros(shape, dtype=d), s)) == \
            repr(torch.result_type(torch.zeros(shape, dtype=t), s))
        assert repr(al.result_type(s, al.zeros(shape, dtype=d))) == \
            repr(torch.result_type(s, torch.zeros(shape, dtype=t)))


def test_result_type_of_two_numbers_matches_torch():
    for a, b in itertools.product(SCALARS, SCALARS):
        assert repr(al.result_type(a, b)) == repr(torch.result_type(a, b))


@pytest.mark.parametrize("name", NAMES)
def test_floating_and_complex_queries_match_torch(name):
    d, t = both(name)
    x, y = al.zeros(2, dtype=d), torch.zeros(2, dtype=t)
    assert al.is_floating_point(x) == torch.is_floating_point(y) == x.is_floating_point()
    assert al.is_complex(x) == torch.is_complex(y) == x.is_complex() == d.is_complex is False
    assert (d.is_floating_point, d.is_signed, d.itemsize) == (t.is_floating_point, t.is_signed,
                                                              t.itemsize)


@pytest.mark.parametrize("name", NAMES)
def test_dtypes_pickle_as_themselves(name):
    d = getattr(al, name)
    assert pickle.loads(pickle.dumps(d)) is d
