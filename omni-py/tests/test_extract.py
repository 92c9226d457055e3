"""Contact extraction from Python: offsets are character offsets into the Python string."""

import omni


def test_offsets_index_the_python_string():
    text = "Здравствуйте! пишите на ivan@example.com"
    for c in omni.extract_contacts(text):
        assert text[c.start : c.end] == c.raw


def test_many_keeps_positions():
    out = omni.extract_contacts_many(["ivan@example.com", None, ""])
    assert len(out) == 3 and out[1] == [] and out[2] == []
