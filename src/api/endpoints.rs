//! Every API endpoint as data: path, query parameters with their types, and what it answers.
//! The router is built from this table and the OpenAPI document is generated from it.

/// A query parameter's type, as checked by the handler and documented in the OpenAPI document.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Kind {
    Text,
    /// A whole number in `min..=max`.
    Integer {
        min: i64,
        max: i64,
    },
    /// A whole number from `min`; values above `max` are taken as `max` (an OGC `limit`).
    Clamped {
        min: i64,
        max: i64,
    },
    /// A whole number from `min`, without upper bound.
    Count {
        min: i64,
    },
    Number,
    Boolean,
    /// One of these values.
    Choice(&'static [&'static str]),
    /// The URI of a coordinate reference system the server supports (see [`crate::ogc::Crs`]).
    Crs,
    /// A comma-separated list of strings.
    List,
    /// `minx,miny,maxx,maxy` (or six numbers with heights).
    Bbox,
}

/// One query parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Param {
    pub name: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub description: &'static str,
    /// The default a client may assume when the parameter is absent, as the schema says it.
    pub default: Option<i64>,
}

const fn param(name: &'static str, kind: Kind, description: &'static str) -> Param {
    Param {
        name,
        kind,
        required: false,
        description,
        default: None,
    }
}

/// What a successful response carries.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answer {
    pub description: &'static str,
    /// Media types offered, the default first.
    pub media_types: &'static [&'static str],
    /// The name of its schema in the document's components.
    pub schema: &'static str,
}

/// How an endpoint is asked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Method {
    /// GET (and HEAD): the answer is cached and revalidated.
    Get,
    /// POST with a body, never cached.
    Post(RequestBody),
}

/// The body a POST endpoint reads.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RequestBody {
    pub description: &'static str,
    /// Media types read, the default first.
    pub media_types: &'static [&'static str],
}

/// One endpoint: a method on a path.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Endpoint {
    pub method: Method,
    /// The path template, with `{name}` segments, as the router and OpenAPI write it.
    pub path: &'static str,
    pub operation_id: &'static str,
    pub tag: &'static str,
    pub summary: &'static str,
    pub description: &'static str,
    pub params: &'static [Param],
    /// Whether the endpoint also takes an equality filter per queryable property of the collection.
    pub property_filters: bool,
    /// Which lane of computing permits a miss takes (see [`Cost`]).
    pub cost: Cost,
    pub answer: Answer,
}

/// What a miss of an endpoint may cost, so cheap misses never queue behind expensive ones:
/// each lane has its own `--max-computing` permits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cost {
    /// One small thing: a document, one feature, one area's profile, one point.
    Light,
    /// Up to a whole layer, a ranking or a statistic over every area.
    Heavy,
}

impl Endpoint {
    /// The query parameter names this endpoint accepts.
    pub fn param_names(&self) -> Vec<&'static str> {
        self.params.iter().map(|p| p.name).collect()
    }

    /// The `{name}` segments of the path.
    pub fn path_params(&self) -> impl Iterator<Item = &'static str> {
        self.path
            .split('/')
            .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
    }
}

pub const JSON: &str = "application/json";
pub const GEOJSON: &str = "application/geo+json";
pub const OPENAPI: &str = "application/vnd.oai.openapi+json;version=3.0";
pub const HTML: &str = "text/html";
pub const SCHEMA_JSON: &str = "application/schema+json";
pub const CSV: &str = "text/csv";
pub const FLATGEOBUF: &str = "application/flatgeobuf";
/// The Prometheus text exposition format.
pub const PROMETHEUS: &str = "text/plain; version=0.0.4";

/// The highest `limit` on items.
pub const MAX_LIMIT: i64 = 10_000;
/// The `limit` on items when none is given.
pub const DEFAULT_LIMIT: i64 = 100;

const F_JSON: Param = param("f", Kind::Choice(&["json"]), "Response format.");
const F_DOC: Param = param(
    "f",
    Kind::Choice(&["json", "html"]),
    "Response format (default: JSON, or HTML when the Accept header prefers text/html).",
);
const F_FEATURES: Param = param(
    "f",
    Kind::Choice(&["json", "geojson"]),
    "Response format (GeoJSON).",
);
const F_DOWNLOAD: Param = param(
    "f",
    Kind::Choice(&["json", "geojson", "csv", "fgb", "flatgeobuf", "html"]),
    "Response format: GeoJSON, CSV, FlatGeobuf (with its spatial index) or an HTML table; wins over Accept. Without limit, CSV and FlatGeobuf hold every matched feature.",
);
const GEOMETRY_WKT: Param = param(
    "geometry",
    Kind::Choice(&["wkt"]),
    "CSV only: add a WKT column with the geometry (of the zoom band, if zoom is given).",
);
const V: Param = param(
    "v",
    Kind::Text,
    "The data version (`data_version` of /map-config.json). Any value is accepted; with the current one the response is marked immutable.",
);
/// The highest zoom level accepted (Web Mercator zoom levels of common tile servers).
pub const MAX_ZOOM: i64 = 22;

const ZOOM_LEVEL: Param = param(
    "zoom-level",
    Kind::Integer {
        min: 0,
        max: MAX_ZOOM,
    },
    "OGC API Features Part 7: the zoom level (WebMercatorQuad) the geometry is drawn at: selects a generalised band (half a pixel at 52.5°N) that keeps shared borders shared; full resolution from zoom level 12 or without it.",
);
const ZOOM: Param = param(
    "zoom",
    Kind::Integer {
        min: 0,
        max: MAX_ZOOM,
    },
    "The same as zoom-level (its name before Part 7); both may be given only with one value.",
);
const PROPERTIES: Param = param(
    "properties",
    Kind::List,
    "Only these feature properties, in this order (see the collection's queryables).",
);
const INDICATOR: Param = param(
    "indicator",
    Kind::Text,
    "An indicator id (see /indicators) whose value for `year` is joined into each feature's properties; requires year.",
);
const YEAR_JOIN: Param = param(
    "year",
    Kind::Integer {
        min: 1900,
        max: 2100,
    },
    "The year of the joined indicator; requires indicator.",
);
const GEOGRAPHY: Param = param(
    "geography",
    Kind::Choice(&["lep", "region", "lad", "nuts2", "nuts3"]),
    "Geography level (default: the indicator's first level).",
);
const YEAR: Param = param(
    "year",
    Kind::Integer {
        min: 1900,
        max: 2100,
    },
    "Year (default: the latest with data).",
);
const BBOX: Param = param(
    "bbox",
    Kind::Bbox,
    "Only features whose geometry intersects this box: minLon,minLat,maxLon,maxLat in CRS84.",
);
const BBOX_CRS: Param = param(
    "bbox-crs",
    Kind::Crs,
    "The CRS of bbox: CRS84 (lon,lat; the default) or British National Grid (EPSG:27700: minE,minN,maxE,maxN in metres).",
);
const CRS: Param = param(
    "crs",
    Kind::Crs,
    "The CRS of the geometry returned: CRS84 (the default) or British National Grid (EPSG:27700, easting, northing in metres, rounded to millimetres). Said in the Content-Crs header.",
);
const FILTER: Param = param(
    "filter",
    Kind::Text,
    "A CQL2 filter (OGC API Features Part 3) on the features' properties, `geometry` and, with indicator and year, the joined `value` and `year`; e.g. `name LIKE 'Greater%'`, `value > 100000000`, `S_INTERSECTS(geometry, POINT(-2.24 53.48))`. Basic CQL2, LIKE, BETWEEN, IN, CASEI and the S_* spatial predicates. At most 4096 bytes, nested at most 16 deep.",
);
const FILTER_LANG: Param = param(
    "filter-lang",
    Kind::Choice(&crate::views::filter::Lang::NAMES),
    "How filter is written: cql2-text (the default) or cql2-json.",
);
const FILTER_CRS: Param = param(
    "filter-crs",
    Kind::Crs,
    "The CRS of the filter's geometries: CRS84 (the default) or British National Grid (EPSG:27700).",
);
const VALUE_EQUALS: Param = param(
    "value",
    Kind::Number,
    "With indicator and year: only the features whose joined value, as served, equals this (the joined value as a query parameter, as for any queryable).",
);
const DATETIME: Param = param(
    "datetime",
    Kind::Text,
    "An RFC 3339 instant (2018, 2018-06-30, 2018-06-30T00:00:00Z) or interval (2015/2018, ../2018, 2016/..). With indicator, it chooses the indicator's latest year inside it (or, with year, keeps the features only if that year is inside); otherwise it keeps the features only if the boundaries were in force then (the collection's extent.temporal).",
);
const SORTBY: Param = param(
    "sortby",
    Kind::List,
    "Sort keys, each a queryable (or the joined `value`) with an optional + (ascending, the default) or - (descending), e.g. `-value,name`. Missing values sort last; ties are broken by code, so pages are stable.",
);
const LIMIT: Param = Param {
    default: Some(DEFAULT_LIMIT),
    ..param(
        "limit",
        Kind::Clamped {
            min: 1,
            max: MAX_LIMIT,
        },
        "Page size; values above the maximum are clamped to it.",
    )
};
const OFFSET: Param = Param {
    default: Some(0),
    ..param(
        "offset",
        Kind::Count { min: 0 },
        "Features to skip (the next link carries it).",
    )
};
const CODE: Param = param(
    "code",
    Kind::List,
    "Only the features with these codes (comma-separated).",
);
const SKIP_GEOMETRY: Param = param(
    "skipGeometry",
    Kind::Boolean,
    "true: features without geometry (null), for tables.",
);

const EXCEPTION: &str = "Exception";

/// Every endpoint of the table; the router serves exactly these (a test checks).
pub static ALL: &[Endpoint] = &[
    LANDING,
    API,
    API_HTML,
    CONFORMANCE,
    COLLECTIONS,
    COLLECTION,
    QUERYABLES,
    SCHEMA,
    LABELS,
    ITEMS,
    ITEM,
    NEIGHBOURS,
    PROFILE,
    PEERS,
    RANKING,
    COMPARE,
    SPATIAL,
    SPECIALISATIONS,
    SPECIALISATION,
    INDICATORS,
    INDICATOR_ONE,
    VALUES,
    JOIN_REPORT,
    LOOKUP,
    LOOKUP_BATCH,
    MAP_CONFIG,
    HEALTH,
    READY,
    METRICS,
];

/// Every endpoint, in the order the document lists them.
pub const LANDING: Endpoint = Endpoint {
    method: Method::Get,
    path: "/",
    operation_id: "getLandingPage",
    tag: "Capabilities",
    summary: "Landing page",
    description: "Links to the API definition, the conformance classes, the collections, the indicators and the map.",
    params: &[F_DOC],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The landing page.",
        media_types: &[JSON, HTML],
        schema: "LandingPage",
    },
};

pub const API: Endpoint = Endpoint {
    method: Method::Get,
    path: "/api",
    operation_id: "getApiDefinition",
    tag: "Capabilities",
    summary: "This API definition (OpenAPI 3.0)",
    description: "Generated from the server's own route table, so it lists every route and parameter the server accepts.",
    params: &[param(
        "f",
        Kind::Choice(&["json"]),
        "Response format (OpenAPI JSON).",
    )],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The OpenAPI document.",
        media_types: &[OPENAPI],
        schema: "OpenAPI",
    },
};

pub const API_HTML: Endpoint = Endpoint {
    method: Method::Get,
    path: "/api.html",
    operation_id: "getApiDocumentation",
    tag: "Capabilities",
    summary: "This API definition as a readable page",
    description: "The OpenAPI document rendered as HTML by the server itself (works offline).",
    params: &[],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "An HTML page.",
        media_types: &[HTML],
        schema: "Html",
    },
};

pub const CONFORMANCE: Endpoint = Endpoint {
    method: Method::Get,
    path: "/conformance",
    operation_id: "getConformanceDeclaration",
    tag: "Capabilities",
    summary: "Conformance classes",
    description: "The OGC API conformance classes this server implements and tests.",
    params: &[F_DOC],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The conformance declaration.",
        media_types: &[JSON, HTML],
        schema: "ConfClasses",
    },
};

pub const COLLECTIONS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections",
    operation_id: "getCollections",
    tag: "Capabilities",
    summary: "The boundary layers",
    description: "Every boundary layer (LEPs by vintage, regions, districts, NUTS 2 and 3) with its extent, CRS, zoom bands and attribution.",
    params: &[F_DOC],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The collections.",
        media_types: &[JSON, HTML],
        schema: "Collections",
    },
};

pub const COLLECTION: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections/{collectionId}",
    operation_id: "describeCollection",
    tag: "Capabilities",
    summary: "One boundary layer",
    description: "One collection's metadata and links.",
    params: &[F_DOC],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The collection.",
        media_types: &[JSON, HTML],
        schema: "Collection",
    },
};

pub const QUERYABLES: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections/{collectionId}/queryables",
    operation_id: "getQueryables",
    tag: "Capabilities",
    summary: "The properties items can be filtered by",
    description: "A JSON Schema of the collection's queryable properties, with their types; each is an equality filter on items (`?name=Cumbria`).",
    params: &[F_JSON],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The queryables, as JSON Schema.",
        media_types: &[SCHEMA_JSON],
        schema: "JsonSchema",
    },
};

pub const SCHEMA: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections/{collectionId}/schema",
    operation_id: "getSchema",
    tag: "Capabilities",
    summary: "The schema of the collection's features",
    description: "A JSON Schema of every feature property with its type, and the geometry.",
    params: &[F_JSON],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The feature schema, as JSON Schema.",
        media_types: &[SCHEMA_JSON],
        schema: "JsonSchema",
    },
};

pub const LABELS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections/{collectionId}/labels",
    operation_id: "getLabelPoints",
    tag: "Data",
    summary: "Where to label each area",
    description: "One point per area: the pole of inaccessibility of its largest polygon (the interior point farthest from its boundary), with the name, the area in km², its rank by size (1 = largest) and the codes of the areas overlapping it.",
    params: &[F_FEATURES, V],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The label points, as GeoJSON Points.",
        media_types: &[GEOJSON],
        schema: "LabelCollection",
    },
};

pub const ITEMS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections/{collectionId}/items",
    operation_id: "getFeatures",
    tag: "Data",
    summary: "The features of a boundary layer",
    description: "Features, filtered by bbox, code and equality on any queryable property, paged with limit and offset (next/prev links), optionally generalised for a zoom and joined with an indicator.",
    params: &[
        LIMIT,
        OFFSET,
        BBOX,
        BBOX_CRS,
        PROPERTIES,
        CODE,
        INDICATOR,
        YEAR_JOIN,
        F_DOWNLOAD,
        V,
        ZOOM_LEVEL,
        ZOOM,
        SKIP_GEOMETRY,
        GEOMETRY_WKT,
        CRS,
        FILTER,
        FILTER_LANG,
        FILTER_CRS,
        SORTBY,
        VALUE_EQUALS,
        DATETIME,
    ],
    property_filters: true,
    cost: Cost::Heavy,
    answer: Answer {
        description: "A page of features.",
        media_types: &[GEOJSON, CSV, FLATGEOBUF, HTML],
        schema: "FeatureCollection",
    },
};

pub const ITEM: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections/{collectionId}/items/{featureId}",
    operation_id: "getFeature",
    tag: "Data",
    summary: "One feature",
    description:
        "One area by its code, optionally generalised for a zoom and joined with an indicator.",
    params: &[
        PROPERTIES,
        INDICATOR,
        YEAR_JOIN,
        F_DOWNLOAD,
        V,
        ZOOM_LEVEL,
        ZOOM,
        GEOMETRY_WKT,
        CRS,
    ],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The feature.",
        media_types: &[GEOJSON, CSV, FLATGEOBUF, HTML],
        schema: "Feature",
    },
};

pub const NEIGHBOURS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/collections/{collectionId}/items/{featureId}/neighbours",
    operation_id: "getNeighbours",
    tag: "Analysis",
    summary: "The areas sharing a border with one area",
    description: "Neighbours by shared border, with the shared length in km and, with indicator and year, each neighbour's value.",
    params: &[PROPERTIES, INDICATOR, YEAR_JOIN, F_FEATURES, V, ZOOM_LEVEL, ZOOM, CRS],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The neighbours, as features.",
        media_types: &[GEOJSON],
        schema: "FeatureCollection",
    },
};

pub const PROFILE: Endpoint = Endpoint {
    method: Method::Get,
    path: "/areas/{code}/profile",
    operation_id: "getAreaProfile",
    tag: "Analysis",
    summary: "Every indicator for one area",
    description:
        "The area's value, rank and percentile on every indicator of its geography for a year, with its percentile in the good direction and its standing: strengths (top quarter), weaknesses (bottom quarter), neutral indicators apart and duplicates counted once (`standing_rule`).",
    params: &[GEOGRAPHY, YEAR],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The profile.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const PEERS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/areas/{code}/peers",
    operation_id: "getAreaPeers",
    tag: "Analysis",
    summary: "The areas most like one area",
    description: "Nearest areas by standardised indicator values, with what makes them alike.",
    params: &[
        GEOGRAPHY,
        YEAR,
        param(
            "indicators",
            Kind::List,
            "The indicators to compare on (default: all with data).",
        ),
        Param {
            default: Some(crate::views::areas::PeersRequest::DEFAULT_K as i64),
            ..param(
                "k",
                Kind::Integer {
                    min: 1,
                    max: crate::views::areas::PeersRequest::MAX_K as i64,
                },
                "How many peers.",
            )
        },
        param(
            "exclude_neighbours",
            Kind::Boolean,
            "true: leave out areas sharing a border.",
        ),
        param(
            "min_shared",
            Kind::Count { min: 1 },
            "The fewest indicators a peer must share with the area.",
        ),
    ],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The peers.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const RANKING: Endpoint = Endpoint {
    method: Method::Get,
    path: "/indicators/{indicatorId}/ranking",
    operation_id: "getRanking",
    tag: "Analysis",
    summary: "Areas ranked on one indicator",
    description:
        "Every area of the geography ranked for a year, with percentiles and summary statistics.",
    params: &[GEOGRAPHY, YEAR],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The ranking.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const COMPARE: Endpoint = Endpoint {
    method: Method::Get,
    path: "/indicators/{indicatorId}/compare",
    operation_id: "compareAreas",
    tag: "Analysis",
    summary: "Compare areas on one indicator",
    description: "Each area with its named neighbours, its gap to their mean, and two verdicts in the indicator's good direction (better, worse or similar; higher or lower for a neutral indicator): against all areas of the layer by percentile, and against its neighbours by the gap; `verdict_rules` states both.",
    params: &[
        GEOGRAPHY,
        YEAR,
        Param {
            required: true,
            ..param("areas", Kind::List, "The area codes to compare.")
        },
    ],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The comparison.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const SPATIAL: Endpoint = Endpoint {
    method: Method::Get,
    path: "/indicators/{indicatorId}/spatial",
    operation_id: "getSpatialStatistics",
    tag: "Analysis",
    summary: "Spatial statistics of neighbours for one indicator",
    description: "Per area: the spatial lag (mean of the neighbours' values), the gap to the neighbours, local Moran's I with a permutation p-value and its LISA class (high-high, low-low, high-low, low-high, not-significant, island, no-data); for the layer: global Moran's I with its permutation p-value. Weights: queen contiguity (overlapping areas count as neighbours), row-standardised. Deterministic for a given seed; definitions in docs/analysis.md.",
    params: &[
        GEOGRAPHY,
        YEAR,
        Param {
            default: Some(crate::analysis::spatial::DEFAULT_PERMUTATIONS as i64),
            ..param(
                "permutations",
                Kind::Integer {
                    min: crate::views::spatial::MIN_PERMUTATIONS as i64,
                    max: crate::views::spatial::MAX_PERMUTATIONS as i64,
                },
                "Random permutations of each test (the smallest p-value is 1/(permutations+1)).",
            )
        },
        Param {
            default: Some(crate::analysis::spatial::DEFAULT_SEED as i64),
            ..param(
                "seed",
                Kind::Count { min: 0 },
                "Seed of the permutations (SplitMix64; a whole number below 2^64).",
            )
        },
    ],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The spatial statistics.",
        media_types: &[JSON],
        schema: "SpatialStatistics",
    },
};

pub const SPECIALISATIONS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/specialisation",
    operation_id: "getSpecialisationMatrices",
    tag: "Analysis",
    summary: "The area × discipline matrices",
    description: "The matrices available for specialisation analysis, with their measures.",
    params: &[],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The matrices.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const SPECIALISATION: Endpoint = Endpoint {
    method: Method::Get,
    path: "/specialisation/{matrix}",
    operation_id: "getSpecialisation",
    tag: "Analysis",
    summary: "Specialisation of areas in disciplines",
    description:
        "Location quotients and shares for one measure of a matrix, for every area or one.",
    params: &[
        Param {
            required: true,
            ..param(
                "measure",
                Kind::Text,
                "The measure (listed by /specialisation).",
            )
        },
        param("area", Kind::Text, "Only this area's code."),
    ],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The specialisation report.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const INDICATORS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/indicators",
    operation_id: "getIndicators",
    tag: "Indicators",
    summary: "The innovation indicators",
    description: "Every indicator with its metadata, per geography level: years, boundary layer per year, unit and source.",
    params: &[param(
        "geography",
        Kind::Choice(&["lep", "region", "lad", "nuts2", "nuts3"]),
        "Only indicators with data at this level.",
    )],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The indicators.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const INDICATOR_ONE: Endpoint = Endpoint {
    method: Method::Get,
    path: "/indicators/{indicatorId}",
    operation_id: "getIndicator",
    tag: "Indicators",
    summary: "One indicator",
    description: "One indicator's metadata.",
    params: &[],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The indicator.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const VALUES: Endpoint = Endpoint {
    method: Method::Get,
    path: "/indicators/{indicatorId}/values",
    operation_id: "getIndicatorValues",
    tag: "Indicators",
    summary: "One indicator's values for a year",
    description: "Every area of the boundary layer the values join (null where missing), each area's rank among them and their median; `within=england` serves only the areas in England (of a UK-wide layer such as NUTS), ranked among themselves and with `check_source` judged among them (`check_source_among` says which).",
    params: &[
        GEOGRAPHY,
        YEAR,
        param(
            "within",
            Kind::Choice(crate::views::indicators::Within::CHOICES),
            "Only the areas in England (ONS codes `E…`, NUTS codes `UKC`–`UKK`), ranked among themselves, their outliers judged among themselves.",
        ),
        V,
    ],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The values by area code.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const JOIN_REPORT: Endpoint = Endpoint {
    method: Method::Get,
    path: "/join-report",
    operation_id: "getJoinReport",
    tag: "Indicators",
    summary: "How every metrics row joined its boundary layer",
    description: "Rows matched and unmatched per file, vintage and layer.",
    params: &[],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The join report.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const LOOKUP: Endpoint = Endpoint {
    method: Method::Get,
    path: "/lookup",
    operation_id: "lookupPoint",
    tag: "Analysis",
    summary: "The areas covering a point",
    description: "Every area of each layer whose boundary covers the point (a point on a shared border is in both areas; pre-2020 LEPs overlap).",
    params: &[
        Param {
            required: true,
            ..param("lon", Kind::Number, "WGS84 longitude.")
        },
        Param {
            required: true,
            ..param("lat", Kind::Number, "WGS84 latitude.")
        },
        param(
            "layers",
            Kind::List,
            "Only these collections (default: all).",
        ),
    ],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The areas by layer.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const LOOKUP_BATCH: Endpoint = Endpoint {
    method: Method::Post(RequestBody {
        description: "The points: a CSV with a header row and lon and lat columns (WGS84; also lng, long, longitude, latitude) or easting and northing columns (EPSG:27700; also oseast1m, osnrth1m), comma, semicolon or tab separated; or a GeoJSON FeatureCollection of Point features; or a GeoJSON MultiPoint. Without a CSV or JSON Content-Type the body's first byte decides. Rows with both coordinates empty, and features with a null geometry, are kept with empty lookup columns.",
        media_types: &[CSV, GEOJSON, JSON],
    }),
    path: "/lookup",
    operation_id: "lookupPoints",
    tag: "Analysis",
    summary: "The areas covering each of a list of points",
    description: "A batch of point lookups: the answer is the input in its own format (CSV, or a GeoJSON FeatureCollection), in input order, with every column or property kept and two added per layer, `{layer}_code` and `{layer}_name` (several areas covering a point separated by `;`; empty, or null in GeoJSON, where none does). The body is read as it arrives: the first malformed row or feature is a 400 naming its line and column, more points than --max-lookup-points or bytes than --max-lookup-mb a 413, and nothing partial is answered.",
    params: &[param(
        "layers",
        Kind::List,
        "Only these collections (default: all), in this order.",
    )],
    property_filters: false,
    cost: Cost::Heavy,
    answer: Answer {
        description: "The points with their areas, in the body's format.",
        media_types: &[CSV, GEOJSON],
        schema: "Object",
    },
};

pub const MAP_CONFIG: Endpoint = Endpoint {
    method: Method::Get,
    path: "/map-config.json",
    operation_id: "getMapConfig",
    tag: "Map",
    summary: "The map's settings",
    description: "Basemap, attribution and the data version the map puts in its URLs.",
    params: &[],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The map settings.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const HEALTH: Endpoint = Endpoint {
    method: Method::Get,
    path: "/health",
    operation_id: "getHealth",
    tag: "Capabilities",
    summary: "Server status",
    description: "The data version being served, when it loaded, and the outcome of the last reload (SIGHUP). Never cached.",
    params: &[],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The status.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const READY: Endpoint = Endpoint {
    method: Method::Get,
    path: "/ready",
    operation_id: "getReady",
    tag: "Capabilities",
    summary: "Readiness for a load balancer",
    description: "200 while the process serves a catalog and takes new requests; 503 once it is shutting down, so a load balancer stops sending it work. Never cached.",
    params: &[],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "Ready.",
        media_types: &[JSON],
        schema: "Object",
    },
};

pub const METRICS: Endpoint = Endpoint {
    method: Method::Get,
    path: "/metrics",
    operation_id: "getMetrics",
    tag: "Capabilities",
    summary: "Counters for Prometheus",
    description: "The Prometheus text format: requests by route and status with latency histograms, the response cache's entries, bytes, hits, misses, refusals and evictions, computing permits in use and requests waiting for one per lane, and reloads. Never cached.",
    params: &[],
    property_filters: false,
    cost: Cost::Light,
    answer: Answer {
        description: "The metrics.",
        media_types: &[PROMETHEUS],
        schema: "Text",
    },
};

/// The schema name of the error body every endpoint may answer with.
pub const ERROR_SCHEMA: &str = EXCEPTION;
