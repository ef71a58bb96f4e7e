//! Private conversations between two or more members, outside every group.

pub mod api;
pub mod pages;
pub mod service;
