"""Recognition settings as the domain sees them: languages, layout modes, result types, regions.

Values mirror the Aspose.OCR Cloud 5.0 enum strings so the wire layer can map them one to one,
but nothing here knows about JSON or HTTP.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class Language(enum.Enum):
    """Every recognition language the Aspose 5.0 API names (154 values)."""

    ENGLISH = "English"
    GERMAN = "German"
    FRENCH = "French"
    ITALIAN = "Italian"
    SPANISH = "Spanish"
    PORTUGUESE = "Portuguese"
    POLISH = "Polish"
    SLOVENE = "Slovene"
    SLOVAK = "Slovak"
    NETHERLANDS = "Netherlands"
    LITHUANIAN = "Lithuanian"
    LATVIAN = "Latvian"
    DANISH = "Danish"
    NORWEGIAN = "Norwegian"
    FINNISH = "Finnish"
    SERBIAN = "Serbian"
    CROATIAN = "Croatian"
    CZECH = "Czech"
    SWEDISH = "Swedish"
    ESTONIAN = "Estonian"
    ROMANIAN = "Romanian"
    CHINESE = "Chinese"
    RUSSIAN = "Russian"
    ARABIC = "Arabic"
    HINDI = "Hindi"
    UKRAINAN = "Ukrainan"
    BENGALI = "Bengali"
    TIBETAN = "Tibetan"
    THAI = "Thai"
    URDU = "Urdu"
    TURKISH = "Turkish"
    KOREAN = "Korean"
    INDONESIAN = "Indonesian"
    HEBREW = "Hebrew"
    JAVANESE = "Javanese"
    GREEK = "Greek"
    JAPANESE = "Japanese"
    PERSIAN = "Persian"
    ALBANIAN = "Albanian"
    LATIN = "Latin"
    VIETNAMESE = "Vietnamese"
    UZBEK = "Uzbek"
    GEORGIAN = "Georgian"
    BULGARIAN = "Bulgarian"
    AZERBAIJANI = "Azerbaijani"
    KAZAH = "Kazah"
    MACEDONIAN = "Macedonian"
    BELORUSSIAN = "Belorussian"
    MALAY = "Malay"
    HAUSA = "Hausa"
    SUNDANESE = "Sundanese"
    SWAHILI = "Swahili"
    TAGALOG = "Tagalog"
    YORUBA = "Yoruba"
    OROMO = "Oromo"
    CEBUANO = "Cebuano"
    DUTCH = "Dutch"
    KURDISH = "Kurdish"
    SERBO_CROATIAN = "Serbo_Croatian"
    MALAGASY = "Malagasy"
    ZHUANG = "Zhuang"
    TURKMEN = "Turkmen"
    SOMALI = "Somali"
    HUNGARIAN = "Hungarian"
    CHICHEWA = "Chichewa"
    RWANDA = "Rwanda"
    MIN_BEI = "Min_Bei"
    ZULU = "Zulu"
    ILOCANO = "Ilocano"
    MIN_DONG = "Min_Dong"
    QUECHUA = "Quechua"
    HILIGAYNON = "Hiligaynon"
    HMONG = "Hmong"
    SHONA = "Shona"
    XHOSA = "Xhosa"
    BETAWI = "Betawi"
    CATALAN = "Catalan"
    AFRIKAANS = "Afrikaans"
    MINANGKABAU = "Minangkabau"
    SOTHO_SOUTHERN = "Sotho_Southern"
    BIKOL = "Bikol"
    MAKUA = "Makua"
    KANURI = "Kanuri"
    TSWANA = "Tswana"
    KIKONGO = "Kikongo"
    LUO = "Luo"
    SUKUMA = "Sukuma"
    TSONGA = "Tsonga"
    BOSNIAN = "Bosnian"
    BEMBA = "Bemba"
    NANDI = "Nandi"
    PALEMBANG = "Palembang"
    UMBUNDU = "Umbundu"
    SOTHO_NORTHERN = "Sotho_Northern"
    WARAY_WARAY = "Waray_Waray"
    LAMANI = "Lamani"
    LOW_GERMAN = "Low_German"
    GILAKI = "Gilaki"
    MUSI = "Musi"
    HWT_ENG = "HWT_ENG"
    PU_XIAN = "Pu_Xian"
    KAPAMPANGAN = "Kapampangan"
    BOUYEI = "Bouyei"
    GALICIAN = "Galician"
    NDEBELE = "Ndebele"
    YAO = "Yao"
    SASAK = "Sasak"
    SWATI = "Swati"
    GUSII = "Gusii"
    MERU = "Meru"
    WOLAYTTA = "Wolaytta"
    DONG = "Dong"
    PANGASINAN = "Pangasinan"
    DIMLI = "Dimli"
    MAKASSAR = "Makassar"
    TUMBUKA = "Tumbuka"
    SERER_SINE = "Serer_Sine"
    OCCITAN = "Occitan"
    TONGA = "Tonga"
    MUONG = "Muong"
    KICHE = "Kiche"
    LUGURU = "Luguru"
    WU = "Wu"
    CANTONESE = "Cantonese"
    MIN_NAN = "Min_Nan"
    XIANG = "Xiang"
    HAKKA = "Hakka"
    GAN = "Gan"
    CHECHEN = "Chechen"
    KABARDIAN = "Kabardian"
    MARATHI = "Marathi"
    BHOJPURI = "Bhojpuri"
    MAITHILI = "Maithili"
    AWADHI = "Awadhi"
    NEPALI = "Nepali"
    MARWARI = "Marwari"
    MAGAHI = "Magahi"
    HARYANVI = "Haryanvi"
    CHATTISGARHI = "Chattisgarhi"
    DHUNDARI = "Dhundari"
    KONKANI = "Konkani"
    KANAUJI = "Kanauji"
    MEWATI = "Mewati"
    RAJBANSHI = "Rajbanshi"
    GARHWALI = "Garhwali"
    KUMAUNI = "Kumauni"
    WAGDI = "Wagdi"
    MALVI = "Malvi"
    MEWARI = "Mewari"
    UYGHUR = "Uyghur"
    TELUGU = "Telugu"
    KANNADA = "Kannada"
    TAMIL = "Tamil"
    DEVANAGARI = "Devanagari"


class DsrMode(enum.Enum):
    """How the page is segmented before recognition (document structure recognition)."""

    REGIONS = "Regions"  #: detect text blocks (paragraphs, columns); the documented default
    DSR_NO_FILTER = "DsrNoFilter"  #: full layout analysis, no block filtering
    DSR_AND_FILTER = "DsrAndFilter"  #: layout analysis with confidence filtering
    NO_DSR_NO_FILTER = "NoDsrNoFilter"  #: no layout analysis: read the image as one block
    TEXT_DETECTOR = "TextDetector"  #: sparse text areas (screenshots, IDs, photos)
    DSR_PLUS_DETECTOR = "DsrPlusDetector"  #: layout analysis plus sparse text detection
    POLYGONAL_TEXT_DETECTOR = "PolygonalTextDetector"  #: curved text (docs call it CraftPoly)
    LINE_DETECTOR = "LineDetector"  #: line by line


class DsrConfidence(enum.Enum):
    """How aggressively low-confidence blocks are dropped (Default is the same as Mid)."""

    DEFAULT = "Default"
    LOW = "Low"
    LOW_MID = "LowMid"
    MID = "Mid"
    MID_HIGH = "MidHigh"
    HIGH = "High"
    ULTRA = "Ultra"
    ALL = "All"


class ArtifactKind(enum.Enum):
    """One produced artefact; the value is the ``results[].type`` string."""

    TEXT = "Text"
    PDF = "Pdf"
    HOCR = "Hocr"
    IMAGE_PNG = "ImagePNG"
    JSON = "JSON"
    CSV = "Csv"
    EXCEL = "Excel"
    OTHER = "Other"  #: DetectRegions rectangle list
    WAV_FILE = "WavFile"  #: ConvertTextToSpeech audio


class ResultType(enum.Enum):
    """What the client asked to get back; combined types yield several artefacts."""

    TEXT = "Text"
    PDF = "Pdf"
    TEXT_AND_PDF = "TextAndPdf"
    HOCR = "Hocr"
    TEXT_AND_HOCR = "TextAndHocr"
    PDF_AND_HOCR = "PdfAndHocr"
    TEXT_AND_PDF_AND_HOCR = "TextAndPdfAndHocr"
    IMAGE_PNG = "ImagePNG"
    JSON = "JSON"

    @property
    def artifacts(self) -> tuple[ArtifactKind, ...]:
        """The artefacts this result type produces, in wire order (Text, Pdf, Hocr)."""
        return _RESULT_ARTIFACTS[self]


_RESULT_ARTIFACTS: dict[ResultType, tuple[ArtifactKind, ...]] = {
    ResultType.TEXT: (ArtifactKind.TEXT,),
    ResultType.PDF: (ArtifactKind.PDF,),
    ResultType.TEXT_AND_PDF: (ArtifactKind.TEXT, ArtifactKind.PDF),
    ResultType.HOCR: (ArtifactKind.HOCR,),
    ResultType.TEXT_AND_HOCR: (ArtifactKind.TEXT, ArtifactKind.HOCR),
    ResultType.PDF_AND_HOCR: (ArtifactKind.PDF, ArtifactKind.HOCR),
    ResultType.TEXT_AND_PDF_AND_HOCR: (ArtifactKind.TEXT, ArtifactKind.PDF, ArtifactKind.HOCR),
    ResultType.IMAGE_PNG: (ArtifactKind.IMAGE_PNG,),
    ResultType.JSON: (ArtifactKind.JSON,),
}


class ResultTypeTable(enum.Enum):
    """Output of table recognition (accepted everywhere, used only by RecognizeTable)."""

    TEXT = "Text"
    EXCEL = "Excel"
    CSV = "Csv"
    CSV_AND_EXCEL = "CsvAndExcel"


class Family(enum.Enum):
    """An operation family: one path with POST/GET/DELETE on the wire."""

    RECOGNIZE_IMAGE = "RecognizeImage"
    RECOGNIZE_IMAGE_TRIAL = "RecognizeImageTrial"
    RECOGNIZE_PDF = "RecognizePdf"
    RECOGNIZE_REGIONS = "RecognizeRegions"
    DETECT_REGIONS = "DetectRegions"
    RECOGNIZE_RECEIPT = "RecognizeReceipt"
    RECOGNIZE_LABEL = "RecognizeLabel"
    RECOGNIZE_TABLE = "RecognizeTable"
    RECOGNIZE_AND_PARSE_INVOICE = "RecognizeAndParseInvoice"
    IDENTIFY_FONT = "IdentifyFont"
    BINARIZE_IMAGE = "BinarizeImage"
    DESKEW_IMAGE = "DeskewImage"
    DEWARP_IMAGE = "DewarpImage"
    UPSCALE_IMAGE = "UpscaleImage"
    DJVU2PDF = "DjVu2PDF"
    CONVERT_TEXT_TO_SPEECH = "ConvertTextToSpeech"
    CONVERT_TEXT_TO_SPEECH_TRIAL = "ConvertTextToSpeechTrial"

    @property
    def is_trial(self) -> bool:
        """Trial families need no token and limit or mark their output."""
        return self in (Family.RECOGNIZE_IMAGE_TRIAL, Family.CONVERT_TEXT_TO_SPEECH_TRIAL)

    @property
    def body(self) -> BodyShape:
        """What the POST body carries."""
        return _BODIES.get(self, BodyShape.IMAGE_AND_SETTINGS)


#: the longest text a speech task reads (about 9 minutes of speech, a 25 MB WAV)
MAX_SPEECH_CHARACTERS = 10_000
#: the longest text the no-token speech trial reads (spec §8.6)
TRIAL_SPEECH_CHARACTERS = 500


class BodyShape(enum.Enum):
    """The shapes a family's POST body takes on the wire."""

    IMAGE_AND_SETTINGS = "image+settings"  #: ``{"image": b64, "settings": {...}}``
    IMAGE = "image"  #: ``{"image": b64}`` (image processing; settings ignored)
    TEXT = "text"  #: ``{"text": "...", "settings": {"language", "resultType"}}`` (speech)


_BODIES = {
    Family.BINARIZE_IMAGE: BodyShape.IMAGE,
    Family.DESKEW_IMAGE: BodyShape.IMAGE,
    Family.DEWARP_IMAGE: BodyShape.IMAGE,
    Family.UPSCALE_IMAGE: BodyShape.IMAGE,
    Family.CONVERT_TEXT_TO_SPEECH: BodyShape.TEXT,
    Family.CONVERT_TEXT_TO_SPEECH_TRIAL: BodyShape.TEXT,
}


@dataclass(frozen=True, kw_only=True)
class Rect:
    """An axis-aligned rectangle in pixels: (left, top) inclusive, (right, bottom) exclusive."""

    left: int
    top: int
    right: int
    bottom: int


@dataclass(frozen=True, kw_only=True)
class Region:
    """A client-given area to read; text of a higher ``order`` comes later."""

    rect: Rect
    order: int = 0


@dataclass(frozen=True, kw_only=True)
class RecognitionSettings:
    """Everything a recognition task was asked to do, with defaults already applied."""

    language: Language = Language.ENGLISH
    skew_correct: bool = True
    binarization: bool = False
    spell_check: bool = False
    contrast_correction: bool = False
    upsampling: bool = False
    #: None means "not given": the service picks the layout mode itself
    dsr_mode: DsrMode | None = None
    dsr_confidence: DsrConfidence = DsrConfidence.DEFAULT
    result_type: ResultType = ResultType.TEXT
    result_type_table: ResultTypeTable = ResultTypeTable.TEXT
    #: clockwise degrees, normalised to 0..359
    rotate: int = 0
    regions: tuple[Region, ...] = field(default_factory=tuple)


@dataclass(frozen=True, kw_only=True)
class BooleanDefaults:
    """The five switches' defaults for one family (the SDK/OpenAPI column of the spec)."""

    skew_correct: bool
    binarization: bool
    spell_check: bool = False
    contrast_correction: bool = False
    upsampling: bool = False


#: Per family, the result type a request without ``resultType`` gets (Text elsewhere):
#: DjVu2PDF converts to a PDF unless recognition is asked for.
RESULT_TYPE_DEFAULTS: dict[Family, ResultType] = {Family.DJVU2PDF: ResultType.PDF}

#: Per family, what a missing boolean means (spec §6.8, SDK/OAS column).
BOOLEAN_DEFAULTS: dict[Family, BooleanDefaults] = {
    Family.RECOGNIZE_IMAGE: BooleanDefaults(skew_correct=True, binarization=False),
    Family.RECOGNIZE_IMAGE_TRIAL: BooleanDefaults(skew_correct=True, binarization=False),
    Family.RECOGNIZE_PDF: BooleanDefaults(skew_correct=True, binarization=True),
    Family.RECOGNIZE_REGIONS: BooleanDefaults(skew_correct=True, binarization=True),
    Family.DETECT_REGIONS: BooleanDefaults(skew_correct=True, binarization=True),
    Family.RECOGNIZE_TABLE: BooleanDefaults(skew_correct=True, binarization=True),
    Family.RECOGNIZE_RECEIPT: BooleanDefaults(skew_correct=True, binarization=True),
    Family.IDENTIFY_FONT: BooleanDefaults(skew_correct=True, binarization=True),
    Family.DJVU2PDF: BooleanDefaults(skew_correct=True, binarization=True),
    Family.RECOGNIZE_LABEL: BooleanDefaults(skew_correct=False, binarization=False),
    Family.RECOGNIZE_AND_PARSE_INVOICE: BooleanDefaults(skew_correct=False, binarization=False),
    # these read no settings; the entries keep the table total
    Family.BINARIZE_IMAGE: BooleanDefaults(skew_correct=False, binarization=False),
    Family.DESKEW_IMAGE: BooleanDefaults(skew_correct=False, binarization=False),
    Family.DEWARP_IMAGE: BooleanDefaults(skew_correct=False, binarization=False),
    Family.UPSCALE_IMAGE: BooleanDefaults(skew_correct=False, binarization=False),
    Family.CONVERT_TEXT_TO_SPEECH: BooleanDefaults(skew_correct=False, binarization=False),
    Family.CONVERT_TEXT_TO_SPEECH_TRIAL: BooleanDefaults(skew_correct=False, binarization=False),
}

#: Languages the spec lists spell-check dictionaries for.
SPELL_CHECK_LANGUAGES: frozenset[Language] = frozenset(
    Language(name)
    for name in (
        "Croatian",
        "Czech",
        "Danish",
        "Dutch",
        "English",
        "HWT_ENG",
        "Estonian",
        "Finnish",
        "French",
        "German",
        "Italian",
        "Latvian",
        "Norwegian",
        "Polish",
        "Portuguese",
        "Serbian",
        "Slovak",
        "Slovene",
        "Spanish",
        "Swedish",
    )
)
