"""``ocrhive languages``: names resolved to models and packages, the command printed when the
process may not install, and the listing."""

from __future__ import annotations

import io

import pytest

from ocrhive.engines import install


def test_names_are_aspose_languages_or_models() -> None:
    assert install.resolve(["German", "fra", "german", "Chinese", "LOW_GERMAN"]) == [
        "deu",
        "fra",
        "chi_sim",
    ]
    assert install.install_command(["chi_sim", "script/Latin"])[-2:] == [
        "tesseract-ocr-chi-sim",
        "tesseract-ocr-script-latn",
    ]
    with pytest.raises(install.UnknownLanguage, match="Klingon"):
        install.resolve(["Klingon"])


def test_not_root_prints_the_exact_command() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = install.install(["fra", "Italian"], out, err, is_root=False)
    assert code == 1
    assert err.getvalue().splitlines()[-1] == (
        "  sudo apt-get install -y --no-install-recommends -o DPkg::Lock::Timeout=300 "
        "tesseract-ocr-fra tesseract-ocr-ita"
    )
    assert out.getvalue() == ""


def test_unknown_names_install_nothing() -> None:
    err = io.StringIO()
    assert install.install(["deu", "Klingon"], io.StringIO(), err, is_root=True) == 2
    assert "unknown language 'Klingon'" in err.getvalue()


def test_listing_shows_installed_and_available() -> None:
    out = io.StringIO()
    install.print_status(out)
    lines = out.getvalue().splitlines()
    # English ships with the Python package, so it is always installed
    (eng,) = [line for line in lines if line.startswith("eng ")]
    assert " installed " in eng and "(English, HWT_ENG)" in eng
    (lat,) = [line for line in lines if line.startswith("script/Latin ")]
    assert "tesseract-ocr-script-latn" in lat or " installed " in lat
    assert lines[-1].endswith(f"of {len(set(install.TESSERACT_MODELS.values()))} models installed")
