//! The two databases behind one small interface: statements with `$1`, `$2`… parameters
//! (SQLite numbers `$N` parameters in order of first appearance, so every statement names them
//! in ascending order), integer and text values only, rows as cells.

use crate::StoreError;

/// A parameter or a cell: the store only keeps integers and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Cell {
    Int(i64),
    Text(String),
    Null,
}

impl Cell {
    pub(crate) fn int(&self) -> i64 {
        match self {
            Cell::Int(i) => *i,
            _ => 0,
        }
    }

    pub(crate) fn text(&self) -> String {
        match self {
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Null => String::new(),
        }
    }

    pub(crate) fn opt_text(&self) -> Option<String> {
        match self {
            Cell::Text(s) => Some(s.clone()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Null => None,
        }
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<&String> for Cell {
    fn from(s: &String) -> Self {
        Cell::Text(s.clone())
    }
}

impl From<i64> for Cell {
    fn from(i: i64) -> Self {
        Cell::Int(i)
    }
}

impl From<Option<&str>> for Cell {
    fn from(s: Option<&str>) -> Self {
        s.map_or(Cell::Null, |s| Cell::Text(s.to_owned()))
    }
}

/// Which SQL dialect a migration's DDL is written for (queries are shared).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

pub(crate) enum Conn {
    Sqlite(rusqlite::Connection),
    #[cfg(feature = "postgres")]
    Postgres(Box<Pg>),
}

/// A PostgreSQL client with its prepared statements (one round trip saved per statement).
#[cfg(feature = "postgres")]
pub(crate) struct Pg {
    pub(crate) client: postgres::Client,
    cache: std::collections::HashMap<String, postgres::Statement>,
}

#[cfg(feature = "postgres")]
impl Pg {
    pub(crate) fn new(client: postgres::Client) -> Pg {
        Pg {
            client,
            cache: std::collections::HashMap::new(),
        }
    }

    /// The prepared statement for `sql`; the cache is emptied past 256 statements.
    fn prepare(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        if let Some(s) = self.cache.get(sql) {
            return Ok(s.clone());
        }
        if self.cache.len() >= 256 {
            self.cache.clear();
        }
        let stmt = self.client.prepare(sql).map_err(pg)?;
        self.cache.insert(sql.to_owned(), stmt.clone());
        Ok(stmt)
    }
}

impl Conn {
    pub(crate) fn dialect(&self) -> Dialect {
        match self {
            Conn::Sqlite(_) => Dialect::Sqlite,
            #[cfg(feature = "postgres")]
            Conn::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Runs statements without parameters (DDL, `BEGIN`, `COMMIT`).
    pub(crate) fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        match self {
            Conn::Sqlite(c) => c.execute_batch(sql).map_err(sqlite),
            #[cfg(feature = "postgres")]
            Conn::Postgres(c) => c.client.batch_execute(sql).map_err(pg),
        }
    }

    /// Runs one statement; the number of rows it changed.
    pub(crate) fn execute(&mut self, sql: &str, params: &[Cell]) -> Result<u64, StoreError> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare(&numbered(sql)).map_err(sqlite)?;
                let n = stmt
                    .execute(rusqlite::params_from_iter(params.iter().map(to_sqlite)))
                    .map_err(sqlite)?;
                Ok(n as u64)
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(c) => {
                let stmt = c.prepare(sql)?;
                let values = pg_params(params);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values
                    .iter()
                    .map(|v| v as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                c.client.execute(&stmt, &refs).map_err(pg)
            }
        }
    }

    /// Runs one query; every row as cells, at most `limit` rows (more is an error: the
    /// caller's bound was exceeded).
    pub(crate) fn query(
        &mut self,
        sql: &str,
        params: &[Cell],
    ) -> Result<Vec<Vec<Cell>>, StoreError> {
        match self {
            Conn::Sqlite(c) => {
                let mut stmt = c.prepare(&numbered(sql)).map_err(sqlite)?;
                let columns = stmt.column_count();
                let mut rows = stmt
                    .query(rusqlite::params_from_iter(params.iter().map(to_sqlite)))
                    .map_err(sqlite)?;
                let mut out = Vec::new();
                while let Some(row) = rows.next().map_err(sqlite)? {
                    let mut cells = Vec::with_capacity(columns);
                    for i in 0..columns {
                        let v: rusqlite::types::Value = row.get(i).map_err(sqlite)?;
                        cells.push(match v {
                            rusqlite::types::Value::Integer(i) => Cell::Int(i),
                            rusqlite::types::Value::Text(s) => Cell::Text(s),
                            rusqlite::types::Value::Real(f) => Cell::Text(f.to_string()),
                            rusqlite::types::Value::Blob(_) | rusqlite::types::Value::Null => {
                                Cell::Null
                            }
                        });
                    }
                    out.push(cells);
                }
                Ok(out)
            }
            #[cfg(feature = "postgres")]
            Conn::Postgres(c) => {
                let stmt = c.prepare(sql)?;
                let values = pg_params(params);
                let refs: Vec<&(dyn postgres::types::ToSql + Sync)> = values
                    .iter()
                    .map(|v| v as &(dyn postgres::types::ToSql + Sync))
                    .collect();
                let rows = c.client.query(&stmt, &refs).map_err(pg)?;
                let mut out = Vec::with_capacity(rows.len());
                for row in rows {
                    let mut cells = Vec::with_capacity(row.len());
                    for (i, col) in row.columns().iter().enumerate() {
                        use postgres::types::Type;
                        let cell = match *col.type_() {
                            Type::INT8 => row
                                .try_get::<_, Option<i64>>(i)
                                .map_err(pg)?
                                .map_or(Cell::Null, Cell::Int),
                            Type::INT4 => row
                                .try_get::<_, Option<i32>>(i)
                                .map_err(pg)?
                                .map_or(Cell::Null, |v| Cell::Int(i64::from(v))),
                            _ => row
                                .try_get::<_, Option<String>>(i)
                                .map_err(pg)?
                                .map_or(Cell::Null, Cell::Text),
                        };
                        cells.push(cell);
                    }
                    out.push(cells);
                }
                Ok(out)
            }
        }
    }
}

/// `$N` → `?N` for SQLite: the same numbered parameters, but SQLite treats `$N` as a *named*
/// parameter and looks each one up by name while parsing (quadratic in a multi-row insert's
/// thousand parameters). The statements hold no `$` elsewhere.
fn numbered(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut out = String::with_capacity(sql.len());
    for (i, ch) in sql.char_indices() {
        if ch == '$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            out.push('?');
        } else {
            out.push(ch);
        }
    }
    out
}

fn to_sqlite(c: &Cell) -> rusqlite::types::Value {
    match c {
        Cell::Int(i) => rusqlite::types::Value::Integer(*i),
        Cell::Text(s) => rusqlite::types::Value::Text(s.clone()),
        Cell::Null => rusqlite::types::Value::Null,
    }
}

pub(crate) fn sqlite(e: rusqlite::Error) -> StoreError {
    StoreError::Database {
        backend: "sqlite",
        message: e.to_string(),
    }
}

#[cfg(feature = "postgres")]
pub(crate) fn pg(e: postgres::Error) -> StoreError {
    StoreError::Database {
        backend: "postgres",
        message: e
            .as_db_error()
            .map_or_else(|| e.to_string(), |d| d.message().to_owned()),
    }
}

/// PostgreSQL parameters: text and integers; a NULL is sent as a text NULL (every nullable
/// column of the schema is TEXT).
#[cfg(feature = "postgres")]
#[derive(Debug)]
enum PgValue {
    Int(i64),
    Text(Option<String>),
}

#[cfg(feature = "postgres")]
impl postgres::types::ToSql for PgValue {
    fn to_sql(
        &self,
        ty: &postgres::types::Type,
        out: &mut postgres::types::private::BytesMut,
    ) -> Result<postgres::types::IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match self {
            PgValue::Int(i) => i.to_sql(ty, out),
            PgValue::Text(s) => s.to_sql(ty, out),
        }
    }

    fn accepts(_ty: &postgres::types::Type) -> bool {
        true
    }

    postgres::types::to_sql_checked!();
}

#[cfg(feature = "postgres")]
fn pg_params(params: &[Cell]) -> Vec<PgValue> {
    params
        .iter()
        .map(|c| match c {
            Cell::Int(i) => PgValue::Int(*i),
            Cell::Text(s) => PgValue::Text(Some(s.clone())),
            Cell::Null => PgValue::Text(None),
        })
        .collect()
}
