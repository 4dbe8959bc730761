//! Secret calendar feeds: one per user, replaced and revoked by their owner only.

use lyceum_infra_seaorm::testing::on_each_backend;
use lyceum_infra_seaorm::{CalendarFeedStore, UserStore};
use lyceum_ports::RepoError;
use lyceum_ports::identity::UserRepository;
use lyceum_ports::mentoring::CalendarFeedRepository;
use uuid::Uuid;

use crate::common::NOW;
use crate::common::mentoring::{users, wide_pool};

#[tokio::test]
async fn a_feed_token_opens_its_owners_feed_until_replaced_or_revoked() {
    on_each_backend(|t| async move {
        let db = &t.database;
        let ids = users(db, 1, 2).await;
        let feeds = CalendarFeedStore::new(db);
        assert_eq!(feeds.owner("first").await.unwrap(), None);
        feeds.replace(ids[0], "first".into(), NOW).await.unwrap();
        feeds.replace(ids[1], "theirs".into(), NOW).await.unwrap();
        assert_eq!(feeds.owner("first").await.unwrap(), Some(ids[0]));
        assert_eq!(feeds.owner("theirs").await.unwrap(), Some(ids[1]));

        feeds.replace(ids[0], "second".into(), NOW).await.unwrap();
        assert_eq!(feeds.owner("first").await.unwrap(), None, "rotated away");
        assert_eq!(feeds.owner("second").await.unwrap(), Some(ids[0]));

        feeds.revoke(ids[0]).await.unwrap();
        feeds.revoke(ids[0]).await.unwrap();
        assert_eq!(feeds.owner("second").await.unwrap(), None);
        assert_eq!(
            feeds.owner("theirs").await.unwrap(),
            Some(ids[1]),
            "only mine"
        );

        assert_eq!(
            feeds.replace(Uuid::now_v7(), "nobody".into(), NOW).await,
            Err(RepoError::NotFound)
        );
        UserStore::new(db).erase(ids[1]).await.unwrap();
        assert_eq!(
            feeds.owner("theirs").await.unwrap(),
            None,
            "gone with the user"
        );
    })
    .await;
}

#[tokio::test]
async fn of_racing_replacements_exactly_one_token_works() {
    on_each_backend(|t| async move {
        let user = users(&t.database, 1, 1).await[0];
        let pool = wide_pool(&t).await;
        let feeds = CalendarFeedStore::new(&pool);
        let tasks: Vec<_> = (0..16)
            .map(|n| {
                let feeds = feeds.clone();
                tokio::spawn(async move { feeds.replace(user, format!("token-{n}"), NOW).await })
            })
            .collect();
        for task in tasks {
            task.await.unwrap().unwrap();
        }
        let mut working = 0;
        for n in 0..16 {
            if feeds.owner(&format!("token-{n}")).await.unwrap() == Some(user) {
                working += 1;
            }
        }
        assert_eq!(working, 1);
    })
    .await;
}
