//! The opening screen and the pages of the five areas.

pub mod pages;
