"""Which Tesseract model reads each Aspose language, and how to install missing ones."""

from __future__ import annotations

from ocrhive.domain.recognition import Language

#: Aspose language → Tesseract model name (``<name>.traineddata``), checked against the models
#: Debian 12 ships as ``tesseract-ocr-*``. Languages with no Tesseract model of their own map to
#: the model of the language or script that reads them best (``script/Latin`` reads any Latin
#: alphabet); the one language absent from this table (Lamani) has no usable model.
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
    Language.TAGALOG: "fil",  # Debian and tessdata call Tagalog-based Filipino "fil"
    Language.YORUBA: "yor",
    Language.CEBUANO: "ceb",
    Language.KURDISH: "kmr",
    Language.SERBO_CROATIAN: "hrv",
    Language.TURKMEN: "script/Latin",  # no Turkmen model exists
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
    Language.KABARDIAN: "rus",  # Cyrillic alphabet
    Language.GILAKI: "fas",  # Perso-Arabic alphabet
    Language.MUONG: "vie",  # written with the Vietnamese alphabet
    # Sinitic languages: mainland ones write simplified, Taiwanese Hokkien and Hakka traditional
    Language.WU: "chi_sim",
    Language.GAN: "chi_sim",
    Language.XIANG: "chi_sim",
    Language.MIN_BEI: "chi_sim",
    Language.MIN_DONG: "chi_sim",
    Language.PU_XIAN: "chi_sim",
    Language.MIN_NAN: "chi_tra",
    Language.HAKKA: "chi_tra",
    # Latin-alphabet languages without a model of their own
    **{
        language: "script/Latin"
        for language in (
            Language.HAUSA,
            Language.OROMO,
            Language.MALAGASY,
            Language.ZHUANG,
            Language.SOMALI,
            Language.CHICHEWA,
            Language.RWANDA,
            Language.ZULU,
            Language.ILOCANO,
            Language.HILIGAYNON,
            Language.HMONG,
            Language.SHONA,
            Language.XHOSA,
            Language.BETAWI,
            Language.MINANGKABAU,
            Language.SOTHO_SOUTHERN,
            Language.SOTHO_NORTHERN,
            Language.BIKOL,
            Language.MAKUA,
            Language.KANURI,
            Language.TSWANA,
            Language.KIKONGO,
            Language.LUO,
            Language.SUKUMA,
            Language.TSONGA,
            Language.BEMBA,
            Language.NANDI,
            Language.PALEMBANG,
            Language.UMBUNDU,
            Language.WARAY_WARAY,
            Language.MUSI,
            Language.KAPAMPANGAN,
            Language.BOUYEI,
            Language.NDEBELE,
            Language.YAO,
            Language.SASAK,
            Language.SWATI,
            Language.GUSII,
            Language.MERU,
            Language.WOLAYTTA,
            Language.DONG,
            Language.PANGASINAN,
            Language.DIMLI,
            Language.MAKASSAR,
            Language.TUMBUKA,
            Language.SERER_SINE,
            Language.TONGA,
            Language.KICHE,
            Language.LUGURU,
        )
    },
}

#: Languages RapidOCR's bundled PP-OCR recogniser reads (Chinese, Japanese and Latin letters).
RAPIDOCR_LANGUAGES: frozenset[Language] = frozenset(
    {Language.CHINESE, Language.CANTONESE, Language.JAPANESE, Language.ENGLISH}
)

#: Which engine reads a language when more than one can; every other language goes to
#: Tesseract. Measured in benchmarks/engines/README.md.
PREFERRED_ENGINE: dict[Language, str] = {
    # generated pages: Tesseract chi_sim 16.1 % CER, jpn 7.0 %; RapidOCR 0.0 % on both
    Language.CHINESE: "rapidocr",
    Language.JAPANESE: "rapidocr",
}


#: Debian names script models by their ISO 15924 code (``script/Latin`` is in ``…-script-latn``).
_SCRIPT_CODES = {"Latin": "latn", "Devanagari": "deva"}


def debian_package(model: str) -> str:
    """The Debian package that ships ``model`` (e.g. ``chi_sim`` → ``tesseract-ocr-chi-sim``).

    Debian ships tessdata models as ``tesseract-ocr-<name>`` with ``_`` turned into ``-``.
    """
    if model.startswith("script/"):
        script = model.split("/", 1)[1]
        return "tesseract-ocr-script-" + _SCRIPT_CODES.get(script, script.lower())
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
