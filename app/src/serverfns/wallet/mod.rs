//! The signed-in user's wallets, redemption codes and API tokens.

mod create_api_token;
mod get_wallet;
mod list_api_tokens;
mod redeem_code;
mod revoke_api_token;
mod rotate_api_token;
mod transfer_to_token_wallet;

pub use create_api_token::*;
pub use get_wallet::*;
pub use list_api_tokens::*;
pub use redeem_code::*;
pub use revoke_api_token::*;
pub use rotate_api_token::*;
pub use transfer_to_token_wallet::*;
