//! Success shapes shared by every context: 201 with `Location`, 200 lists with `Link`,
//! and 204.

use poem_openapi::ApiResponse;
use poem_openapi::payload::Json;
use poem_openapi::types::{ParseFromJSON, ToJSON};

/// A resource was created.
#[derive(ApiResponse)]
pub enum Created<T: ToJSON + ParseFromJSON + Send + Sync> {
    /// Created; `Location` is the new resource's URL.
    #[oai(status = 201)]
    Created(Json<T>, #[oai(header = "Location")] String),
}

/// One page of a list.
#[derive(ApiResponse)]
pub enum Listed<T: ToJSON + ParseFromJSON + Send + Sync> {
    /// The page; `Link` has `rel="next"` when there is a next page.
    #[oai(status = 200)]
    Ok(Json<T>, #[oai(header = "Link")] Option<String>),
}

/// Done, nothing to return.
#[derive(ApiResponse)]
pub enum NoContent {
    /// Done.
    #[oai(status = 204)]
    NoContent,
}

/// Accepted for processing; the outcome is not revealed.
#[derive(ApiResponse)]
pub enum Accepted {
    /// Accepted.
    #[oai(status = 202)]
    Accepted,
}
