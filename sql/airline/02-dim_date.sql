-- One row per calendar day; date_key is yyyymmdd.
CREATE TABLE IF NOT EXISTS airline.dim_date (
    date_key      INTEGER     NOT NULL PRIMARY KEY,
    full_date     DATE        NOT NULL,
    year          SMALLINT    NOT NULL,
    quarter       SMALLINT    NOT NULL,
    month         SMALLINT    NOT NULL,
    day_of_month  SMALLINT    NOT NULL,
    day_of_week   SMALLINT    NOT NULL,
    day_name      VARCHAR(9)  NOT NULL,
    is_weekend    BOOLEAN     NOT NULL
) DISTSTYLE ALL SORTKEY (date_key)
