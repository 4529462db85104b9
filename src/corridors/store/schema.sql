-- The corridors store: one DuckDB file, written whole by `corridors build` and swapped in atomically.
-- Codes, never display names: countries by ISO3 (``XXX`` = UN DESA "Other" origin), regions by M49.
-- Dimensions identify an observation; attributes (unit, source_id, status) qualify it.
-- Every observation names its source_id; `provenance` says where that file came from.

CREATE TABLE provenance (
    source_id   VARCHAR PRIMARY KEY,  -- registry id, e.g. 'ims2020-destination'
    publisher   VARCHAR NOT NULL,
    title       VARCHAR NOT NULL,
    edition     VARCHAR NOT NULL,     -- e.g. 'ims2020', 'FY26', '2019'
    licence     VARCHAR NOT NULL,
    url         VARCHAR,              -- official URL
    fetched_from VARCHAR,             -- url or mirror path actually used
    file_name   VARCHAR NOT NULL,
    sha256      VARCHAR NOT NULL,
    fetched_at  TIMESTAMP,
    rows_read   BIGINT
);

-- Countries and areas with their parent groupings (UNSD M49 + UN DESA IMS 2020 annex).
CREATE TABLE countries (
    iso3 VARCHAR PRIMARY KEY,
    m49 INTEGER NOT NULL,
    iso2 VARCHAR,
    name VARCHAR NOT NULL,            -- UNSD M49 name
    short_name VARCHAR NOT NULL,      -- UN DESA IMS name
    continent VARCHAR,                -- M49 region: Africa, Americas, Asia, Europe, Oceania
    continent_m49 INTEGER,
    un_subregion VARCHAR,             -- M49 sub-region, e.g. 'Western Africa'
    un_subregion_m49 INTEGER,
    intermediate_region VARCHAR,      -- M49 intermediate region, e.g. 'Caribbean'
    ims_region VARCHAR,               -- IMS geographic region (Africa, Asia, Europe, Latin America and the Caribbean, Northern America, Oceania)
    sdg_region VARCHAR,               -- SDG region, e.g. 'Sub-Saharan Africa'
    sdg_region_m49 INTEGER,
    development_group VARCHAR,        -- 'more developed' | 'less developed' (IMS annex)
    least_developed BOOLEAN,
    lldc BOOLEAN,
    sids BOOLEAN
);

-- Every spelling each publisher uses, resolved to ISO3.
CREATE TABLE country_aliases (alias VARCHAR, iso3 VARCHAR, note VARCHAR);

-- Regions and groupings with M49-style codes as published (WORLD 900, SDG regions, ...).
CREATE TABLE areas (
    m49 INTEGER PRIMARY KEY, name VARCHAR NOT NULL, area_type VARCHAR NOT NULL, parent_m49 INTEGER
);

-- World Bank income group per country per data year (OGHIST: FYxx classifies data year xx-2).
CREATE TABLE income_groups (
    iso3 VARCHAR, data_year INTEGER, fiscal_year VARCHAR, income_group VARCHAR, -- L | LM | UM | H
    source_id VARCHAR
);

-- Land contiguity, symmetric (both (a,b) and (b,a)).
CREATE TABLE contiguity (iso3_a VARCHAR, iso3_b VARCHAR, source_id VARCHAR);

-- Regional economic community membership periods (since/until years; until NULL = current).
CREATE TABLE rec_membership (
    rec_code VARCHAR, rec_name VARCHAR, iso3 VARCHAR, member_type VARCHAR,
    since INTEGER, until INTEGER, source_url VARCHAR, note VARCHAR
);

-- Bilateral international migrant stock (persons), by sex: 'total' | 'male' | 'female'.
CREATE TABLE migrant_stock (
    edition VARCHAR,        -- 'ims2020' | 'ims2019' | 'ims2015' | 'ims2024'
    origin VARCHAR,         -- ISO3 of country of birth/citizenship; 'XXX' = UN "Other"
    destination VARCHAR,    -- ISO3 of country of residence
    year INTEGER,
    sex VARCHAR,
    value DOUBLE,
    source_id VARCHAR
);

-- Published totals (Table 1 of the destination and origin workbooks), incl. regions and WORLD.
CREATE TABLE migrant_stock_totals (
    edition VARCHAR,
    view VARCHAR,           -- 'destination' (immigrants) | 'origin' (emigrants)
    area_m49 INTEGER,       -- M49 location code (900 = WORLD)
    iso3 VARCHAR,           -- NULL for regions and groups
    year INTEGER,
    sex VARCHAR,
    value DOUBLE,
    source_id VARCHAR
);

-- Total population (persons), by edition of the publication it comes from.
CREATE TABLE population (
    edition VARCHAR,        -- 'ims2020' (Table 2 of the destination workbook), 'wpp2019'
    iso3 VARCHAR, area_m49 INTEGER, year INTEGER, sex VARCHAR, value DOUBLE, source_id VARCHAR
);

-- Other country-year indicators (IMS Tables 3-6, WDI series), long form.
CREATE TABLE indicators (
    dataset VARCHAR, edition VARCHAR, indicator VARCHAR, iso3 VARCHAR, area_m49 INTEGER,
    year INTEGER, sex VARCHAR, value DOUBLE, unit VARCHAR, source_id VARCHAR
);

-- Estimates from a user's own survey or census microdata (`corridors survey estimate --save`), one
-- row per indicator and domain (corridors.survey.store writes it from this DDL). They are the
-- user's observations, not a publisher's: a rebuild carries them over from the previous store.
CREATE TABLE survey_estimates (
    dataset   VARCHAR NOT NULL,  -- the survey (mapping survey.id), e.g. 'eph-2016q4'
    indicator VARCHAR NOT NULL,  -- ICLS indicator id or the measure, e.g. 'mean(foreign_born)'
    kind      VARCHAR NOT NULL,  -- total | mean | ratio | quantile
    iso3      VARCHAR,           -- the country the survey covers
    year      INTEGER,           -- the survey's reference year
    sex       VARCHAR NOT NULL,  -- total | male | female (the 'sex' domain, else total)
    domain    VARCHAR NOT NULL,  -- the other domain columns as JSON, '{}' for all persons
    estimate  DOUBLE,            -- NULL when suppressed
    se DOUBLE, cv DOUBLE,
    ci_low DOUBLE, ci_high DOUBLE,  -- 95 % interval of method ci_method
    df        INTEGER,           -- design degrees of freedom (R's degf)
    ci_method VARCHAR,           -- wald | t | logit | beta | woodruff-t | woodruff-wald
    n         BIGINT,            -- unweighted sample persons behind the figure
    flag      VARCHAR,           -- ok | caution | suppressed
    unit      VARCHAR,           -- persons | proportion or mean | ratio | quantile
    source_id VARCHAR            -- provenance row of the microdata file
);

-- Remittance Prices Worldwide (SDG 10.c.1): average total cost of sending USD 200 in a corridor and
-- quarter, in percent of the amount sent, as published. origin = the SENDING country (the
-- migrants' host), destination = the receiving country. cost_pct_500, fx_margin_pct and providers
-- only where the source publishes them.
CREATE TABLE remittance_costs (
    origin VARCHAR, destination VARCHAR, period VARCHAR, year INTEGER, quarter INTEGER,
    cost_pct DOUBLE, cost_pct_500 DOUBLE, fx_margin_pct DOUBLE, providers INTEGER,
    edition VARCHAR, source_id VARCHAR
);
