CREATE TABLE IF NOT EXISTS airline.dim_aircraft (
    aircraft_key  INTEGER     NOT NULL PRIMARY KEY,
    tail_number   VARCHAR(10) NOT NULL,
    manufacturer  VARCHAR(40) NOT NULL,
    model         VARCHAR(40) NOT NULL,
    seats         SMALLINT    NOT NULL
) DISTSTYLE ALL SORTKEY (aircraft_key)
