//! The public price list.

use super::ServiceError;
use crate::pricing::{ModelPriceView, PriceSheet};
use chrono::{DateTime, Utc};
use entity::model_prices;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};

/// The price in force at `now` for every model that has one, sorted by model name.
pub async fn current_prices<C: ConnectionTrait>(
    db: &C,
    now: DateTime<Utc>,
) -> Result<Vec<ModelPriceView>, ServiceError> {
    let rows = model_prices::Entity::find()
        .filter(model_prices::Column::EffectiveFrom.lte(now))
        .order_by_asc(model_prices::Column::Model)
        .order_by_desc(model_prices::Column::EffectiveFrom)
        .all(db)
        .await?;
    let mut prices: Vec<ModelPriceView> = Vec::new();
    for row in rows {
        // Rows arrive newest first within a model: the first one seen is in force.
        if prices.last().is_some_and(|p| p.model == row.model) {
            continue;
        }
        prices.push(ModelPriceView {
            per_mtok: sheet_of(&row),
            model: row.model,
        });
    }
    Ok(prices)
}

/// The prices stored in one row.
pub(crate) fn sheet_of(row: &model_prices::Model) -> PriceSheet {
    PriceSheet {
        input: row.input_per_mtok,
        output: row.output_per_mtok,
        cache_write_5m: row.cache_write_5m_per_mtok,
        cache_write_1h: row.cache_write_1h_per_mtok,
        cache_read: row.cache_read_per_mtok,
    }
}

/// A new price for `model`, effective from `effective_from`. Earlier rows stay as history.
pub struct NewModelPrice {
    pub model: String,
    pub per_mtok: PriceSheet,
    pub effective_from: DateTime<Utc>,
}

/// Records a price. Prices are never negative and the model name is a plain identifier.
pub async fn set_price<C: ConnectionTrait>(
    db: &C,
    price: NewModelPrice,
) -> Result<(), ServiceError> {
    use sea_orm::ActiveValue::{NotSet, Set};

    let model = price.model.trim();
    if model.is_empty() || model.len() > 128 {
        return Err(ServiceError::Invalid(
            "the model name must be 1-128 characters".to_owned(),
        ));
    }
    if price.per_mtok.has_negative() {
        return Err(ServiceError::Invalid(
            "prices cannot be negative".to_owned(),
        ));
    }
    let now = Utc::now();
    model_prices::Entity::insert(model_prices::ActiveModel {
        id: NotSet,
        model: Set(model.to_owned()),
        input_per_mtok: Set(price.per_mtok.input),
        output_per_mtok: Set(price.per_mtok.output),
        cache_write_5m_per_mtok: Set(price.per_mtok.cache_write_5m),
        cache_write_1h_per_mtok: Set(price.per_mtok.cache_write_1h),
        cache_read_per_mtok: Set(price.per_mtok.cache_read),
        effective_from: Set(price.effective_from),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    // The proxies' in-memory price lists reload on the next request.
    super::proxy::catalog::bump(db, now).await
}
