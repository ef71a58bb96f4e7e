//! Recursive spaces: the community and the groups nested inside it.

pub mod api;
pub mod pages;
pub mod service;
