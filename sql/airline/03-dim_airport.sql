CREATE TABLE IF NOT EXISTS airline.dim_airport (
    airport_key   INTEGER      NOT NULL PRIMARY KEY,
    iata_code     CHAR(3)      NOT NULL,
    airport_name  VARCHAR(100) NOT NULL,
    city          VARCHAR(60)  NOT NULL,
    country       VARCHAR(60)  NOT NULL,
    timezone      VARCHAR(40)  NOT NULL
) DISTSTYLE ALL SORTKEY (airport_key)
