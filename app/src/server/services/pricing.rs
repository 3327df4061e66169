//! The public price list.

use super::ServiceError;
use crate::pricing::ModelPriceView;
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
            model: row.model,
            input_per_mtok: row.input_per_mtok,
            output_per_mtok: row.output_per_mtok,
            cache_write_5m_per_mtok: row.cache_write_5m_per_mtok,
            cache_write_1h_per_mtok: row.cache_write_1h_per_mtok,
            cache_read_per_mtok: row.cache_read_per_mtok,
        });
    }
    Ok(prices)
}

/// A new price for `model`, effective from `effective_from`. Earlier rows stay as history.
pub struct NewModelPrice {
    pub model: String,
    pub input_per_mtok: i64,
    pub output_per_mtok: i64,
    pub cache_write_5m_per_mtok: i64,
    pub cache_write_1h_per_mtok: i64,
    pub cache_read_per_mtok: i64,
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
    if [
        price.input_per_mtok,
        price.output_per_mtok,
        price.cache_write_5m_per_mtok,
        price.cache_write_1h_per_mtok,
        price.cache_read_per_mtok,
    ]
    .iter()
    .any(|p| *p < 0)
    {
        return Err(ServiceError::Invalid(
            "prices cannot be negative".to_owned(),
        ));
    }
    let now = Utc::now();
    model_prices::Entity::insert(model_prices::ActiveModel {
        id: NotSet,
        model: Set(model.to_owned()),
        input_per_mtok: Set(price.input_per_mtok),
        output_per_mtok: Set(price.output_per_mtok),
        cache_write_5m_per_mtok: Set(price.cache_write_5m_per_mtok),
        cache_write_1h_per_mtok: Set(price.cache_write_1h_per_mtok),
        cache_read_per_mtok: Set(price.cache_read_per_mtok),
        effective_from: Set(price.effective_from),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec(db)
    .await?;
    Ok(())
}
