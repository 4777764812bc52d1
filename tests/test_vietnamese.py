"""The Vietnamese text module: NFC, tone placement, folding, slugs, look-up keys."""

import unicodedata

import pytest

from portal import vietnamese


@pytest.mark.parametrize(
    ("old", "new"),
    [("hoà", "hòa"), ("Khánh Hoà", "Khánh Hòa"), ("thuỷ", "thủy"), ("Uỷ ban", "Ủy ban"), ("khoẻ", "khỏe"),
     ("THUỶ", "THỦY"), ("Thanh Hoá", "Thanh Hóa")],
)
def test_old_and_new_tone_placement_are_one_word(old, new):
    assert vietnamese.normalize_tones(old) == new
    assert vietnamese.normalize(old) == vietnamese.normalize(new)
    assert vietnamese.normalize_tones(new, "old") == old


@pytest.mark.parametrize("word", ["hoàng", "quý", "quỳnh", "toán", "thuyền", "khuya", "hòa"])
def test_tone_placement_leaves_other_syllables_alone(word):
    assert vietnamese.normalize_tones(word) == word


def test_nfd_text_normalises_to_nfc():
    decomposed = unicodedata.normalize("NFD", "Đảng ủy Tổ quốc")
    assert vietnamese.normalize(decomposed) == "đảng ủy tổ quốc"


def test_fold_strips_every_diacritic_and_keeps_length():
    text = "Đảng ủy bảo vệ an ninh Tổ quốc, đường, dương"
    assert vietnamese.fold(text) == "Dang uy bao ve an ninh To quoc, duong, duong"
    assert len(vietnamese.fold(text)) == len(text)


def test_slugs_are_ascii_and_stable():
    assert vietnamese.slugify("Giá lúa tăng") == "gia-lua-tang"
    assert vietnamese.slugify("Giá lừa tăng") == "gia-lua-tang"  # the clash the URL scheme must handle
    assert vietnamese.slugify("Đắk Lắk") == "dak-lak"
    slug = vietnamese.slugify("Hội nghị tổng kết “Phong trào toàn dân bảo vệ ANTQ” năm 2021 " * 4)
    assert slug.isascii() and len(slug) <= 80 and not slug.endswith("-")


def test_match_key_ignores_spelling_details():
    assert vietnamese.match_key("Bà Rịa – Vũng Tàu") == vietnamese.match_key("ba ria-vung tau")
    assert vietnamese.match_key("TP. Hồ Chí Minh") == "tp ho chi minh"
