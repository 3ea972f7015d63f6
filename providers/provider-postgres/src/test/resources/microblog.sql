-- A microblog's database with every kind of object the restore must keep intact.
create extension if not exists pgcrypto;
create schema social;
create type mood as enum ('happy', 'sad', 'ünïcödé 😀');
create domain handle as text check (value ~ '^[a-z0-9_]+$');
create type geo as (lat double precision, lon double precision);

create table users (
    id bigserial primary key,
    handle handle not null unique,
    display_name text,
    bio text,
    avatar bytea,
    tags text[],
    settings jsonb default '{}'::jsonb,
    mood mood,
    home geo,
    created_at timestamptz not null default now(),
    balance numeric(12, 2) default 0,
    score double precision
);
comment on table users is 'People who post';
comment on column users.bio is 'Free text, may be NULL, may be non-ASCII';

create table posts (
    id bigint generated always as identity,
    author_id bigint not null references users(id) on delete cascade,
    body text not null,
    posted_on date not null,
    likes int not null default 0 check (likes >= 0),
    primary key (id, posted_on)
) partition by range (posted_on);
create table posts_2025 partition of posts for values from ('2025-01-01') to ('2026-01-01');
create table posts_2026 partition of posts for values from ('2026-01-01') to ('2027-01-01');
create index posts_author_idx on posts (author_id);

create table social.follows (
    follower bigint not null references users(id),
    followee bigint not null references users(id),
    since timestamptz default now(),
    primary key (follower, followee),
    constraint no_self_follow check (follower <> followee)
);

-- the big one: several hundred thousand rows
create table events (
    id bigint primary key,
    kind text not null,
    payload jsonb,
    at timestamp not null
);
create index events_kind_at on events (kind, at);

create sequence invoice_no start 1000 increment 7;
select setval('invoice_no', 4242);

create function like_post(p_id bigint, p_day date) returns int language plpgsql as $$
declare n int;
begin
    update posts set likes = likes + 1 where id = p_id and posted_on = p_day returning likes into n;
    return n;
end $$;
comment on function like_post(bigint, date) is 'Adds one like';

create function touch_bio() returns trigger language plpgsql as $$
begin
    new.bio := coalesce(new.bio, '') ;
    return new;
end $$;
create trigger users_touch before update on users for each row execute function touch_bio();

create view popular as select u.handle, count(p.id) as posts, sum(p.likes) as likes
    from users u left join posts p on p.author_id = u.id group by u.handle;
create materialized view daily_posts as select posted_on, count(*) as n from posts group by posted_on;

insert into users (handle, display_name, bio, avatar, tags, settings, mood, home, created_at, balance, score) values
    ('alice', 'Alice', 'Hello, wörld — 你好 👋', '\x89504e470d0a1a0a00ff'::bytea, array['a', 'b, c', null], '{"theme": "dark", "n": [1, 2.5, null]}', 'happy', row(52.52, 13.405), '2025-03-01 12:00:00+01', 10.50, 1.0/3),
    ('bob', null, null, null, null, null, null, null, '2025-03-02 00:00:00Z', null, 'NaN'),
    ('carol', 'Carol "C" O''Neil', E'tab\there\nnewline\\backslash', ''::bytea, '{}', '"just a string"', 'ünïcödé 😀', row(null, null), '2026-01-01 00:00:00Z', -0.01, '-Infinity');
insert into posts (author_id, body, posted_on, likes)
    select 1 + (g % 3), 'post ' || g || ' ✓', date '2025-06-01' + (g % 400), g % 17 from generate_series(1, 2000) g;
insert into social.follows (follower, followee) values (1, 2), (2, 1), (3, 1);
insert into events (id, kind, payload, at)
    select g, (array['view', 'like', 'follow', 'post'])[1 + g % 4],
           case when g % 10 = 0 then null else jsonb_build_object('g', g, 'h', md5(g::text)) end,
           timestamp '2025-01-01' + g * interval '1 second'
    from generate_series(1, 300000) g;
refresh materialized view daily_posts;
analyze;
