"""Which Tesseract model reads each Aspose language, and how to install missing ones."""

from __future__ import annotations

from ocrhive.domain.recognition import Language

#: Aspose language → Tesseract model name (``<name>.traineddata``). Languages with no Tesseract
#: model of their own map to the model of the script/language that reads them best; languages
#: absent from this table have no usable model.
TESSERACT_MODELS: dict[Language, str] = {
    Language.ENGLISH: "eng",
    Language.HWT_ENG: "eng",
    Language.GERMAN: "deu",
    Language.FRENCH: "fra",
    Language.ITALIAN: "ita",
    Language.SPANISH: "spa",
    Language.PORTUGUESE: "por",
    Language.POLISH: "pol",
    Language.SLOVENE: "slv",
    Language.SLOVAK: "slk",
    Language.NETHERLANDS: "nld",
    Language.DUTCH: "nld",
    Language.LITHUANIAN: "lit",
    Language.LATVIAN: "lav",
    Language.DANISH: "dan",
    Language.NORWEGIAN: "nor",
    Language.FINNISH: "fin",
    Language.SERBIAN: "srp",
    Language.CROATIAN: "hrv",
    Language.CZECH: "ces",
    Language.SWEDISH: "swe",
    Language.ESTONIAN: "est",
    Language.ROMANIAN: "ron",
    Language.CHINESE: "chi_sim",
    Language.RUSSIAN: "rus",
    Language.ARABIC: "ara",
    Language.HINDI: "hin",
    Language.UKRAINAN: "ukr",
    Language.BENGALI: "ben",
    Language.TIBETAN: "bod",
    Language.THAI: "tha",
    Language.URDU: "urd",
    Language.TURKISH: "tur",
    Language.KOREAN: "kor",
    Language.INDONESIAN: "ind",
    Language.HEBREW: "heb",
    Language.JAVANESE: "jav",
    Language.GREEK: "ell",
    Language.JAPANESE: "jpn",
    Language.PERSIAN: "fas",
    Language.ALBANIAN: "sqi",
    Language.LATIN: "lat",
    Language.VIETNAMESE: "vie",
    Language.UZBEK: "uzb",
    Language.GEORGIAN: "kat",
    Language.BULGARIAN: "bul",
    Language.AZERBAIJANI: "aze",
    Language.KAZAH: "kaz",
    Language.MACEDONIAN: "mkd",
    Language.BELORUSSIAN: "bel",
    Language.MALAY: "msa",
    Language.SUNDANESE: "sun",
    Language.SWAHILI: "swa",
    Language.TAGALOG: "tgl",
    Language.YORUBA: "yor",
    Language.CEBUANO: "ceb",
    Language.KURDISH: "kmr",
    Language.SERBO_CROATIAN: "hrv",
    Language.TURKMEN: "tuk",
    Language.HUNGARIAN: "hun",
    Language.QUECHUA: "que",
    Language.CATALAN: "cat",
    Language.AFRIKAANS: "afr",
    Language.BOSNIAN: "bos",
    Language.GALICIAN: "glg",
    Language.OCCITAN: "oci",
    Language.CANTONESE: "chi_tra",
    Language.CHECHEN: "rus",
    Language.MARATHI: "mar",
    Language.NEPALI: "nep",
    Language.UYGHUR: "uig",
    Language.TELUGU: "tel",
    Language.KANNADA: "kan",
    Language.TAMIL: "tam",
    Language.DEVANAGARI: "script/Devanagari",
    Language.BHOJPURI: "hin",
    Language.MAITHILI: "hin",
    Language.AWADHI: "hin",
    Language.MAGAHI: "hin",
    Language.HARYANVI: "hin",
    Language.CHATTISGARHI: "hin",
    Language.MARWARI: "hin",
    Language.DHUNDARI: "hin",
    Language.KONKANI: "mar",
    Language.KANAUJI: "hin",
    Language.MEWATI: "hin",
    Language.GARHWALI: "hin",
    Language.KUMAUNI: "hin",
    Language.MALVI: "hin",
    Language.MEWARI: "hin",
    Language.WAGDI: "hin",
    Language.RAJBANSHI: "ben",
    Language.LOW_GERMAN: "deu",
}


#: Debian ships tessdata models as ``tesseract-ocr-<name>`` with ``_`` turned into ``-``.
def debian_package(model: str) -> str:
    """The Debian package that ships ``model`` (e.g. ``chi_sim`` → ``tesseract-ocr-chi-sim``)."""
    if model.startswith("script/"):
        return "tesseract-ocr-script-" + model.split("/", 1)[1].lower()
    return "tesseract-ocr-" + model.replace("_", "-").lower()


def install_hint(language: Language, model: str | None) -> str:
    """A sentence telling an operator how to make ``language`` readable."""
    if model is None:
        return (
            f"No Tesseract model reads {language.value}; this server cannot recognise it. "
            "Choose another language."
        )
    return (
        f"The model for {language.value} ({model}.traineddata) is not installed on this server. "
        f"Install it with 'apt-get install {debian_package(model)}', or copy {model}.traineddata "
        "into the models folder (OCRHIVE_MODELS_DIR), then restart the workers."
    )
