//! The categories of offers and wants, kept by stewards.

use crate::error::{AppError, AppResult, FieldError};
use crate::identity::session::Ctx;
use crate::state::AppState;
use planet_domain::CategoryId;
use planet_domain::policy::Action;
use planet_store::queries::synergy::{self as listings, Category};

/// The categories, for the stewards' page (retired ones too).
pub async fn categories_to_keep(state: &AppState, ctx: &Ctx) -> AppResult<Vec<Category>> {
    ctx.require(Action::KeepCategories)?;
    Ok(listings::categories(state.db()).await?)
}

fn category_name(name: &str) -> AppResult<planet_domain::text::LabelName> {
    planet_domain::text::LabelName::parse(name).map_err(|e| AppError::Invalid(vec![FieldError::from_input("name", e)]))
}

/// Stewards add a category (at the end of the list).
pub async fn add_category(state: &AppState, ctx: &Ctx, name: &str) -> AppResult<()> {
    ctx.require(Action::KeepCategories)?;
    let name = category_name(name)?;
    let txn = state.store().begin().await?;
    if listings::category_named(&txn, name.as_str(), None).await? {
        return Err(AppError::invalid(
            "name",
            "category_exists",
            format!("There is already a category called {}.", name.as_str()),
        ));
    }
    let now = state.now();
    listings::add_category(&txn, CategoryId::new_v7(), name.as_str(), now).await?;
    planet_store::queries::audit::record(&txn, Some(ctx.member()?.id), "categories.added", name.as_str(), "", now)
        .await?;
    state.commit(txn).await?;
    Ok(())
}

/// Stewards rename a category, retire it (no new listings in it) or bring it back.
pub async fn change_category(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
    name: &str,
    retired: Option<bool>,
) -> AppResult<()> {
    ctx.require(Action::KeepCategories)?;
    let id: CategoryId = id.parse().map_err(|_| AppError::not_found())?;
    if !listings::categories(state.db()).await?.iter().any(|c| c.id == id) {
        return Err(AppError::not_found());
    }
    let now = state.now();
    let txn = state.store().begin().await?;
    let changed = match retired {
        Some(retired) => listings::set_category_retired(&txn, id, retired).await?,
        None => {
            let name = category_name(name)?;
            if listings::category_named(&txn, name.as_str(), Some(id)).await? {
                return Err(AppError::invalid(
                    "name",
                    "category_exists",
                    format!("There is already a category called {}.", name.as_str()),
                ));
            }
            listings::rename_category(&txn, id, name.as_str()).await?
        }
    };
    if !changed {
        return Err(AppError::not_found());
    }
    let what = match retired {
        Some(true) => "categories.retired",
        Some(false) => "categories.restored",
        None => "categories.renamed",
    };
    planet_store::queries::audit::record(&txn, Some(ctx.member()?.id), what, &id.to_string(), name, now).await?;
    state.commit(txn).await?;
    Ok(())
}
