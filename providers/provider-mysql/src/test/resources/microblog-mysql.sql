-- A microblog's database with every kind of object the restore must keep intact (MariaDB/MySQL).
create table users (
    id bigint unsigned not null auto_increment primary key,
    handle varchar(40) not null unique,
    display_name varchar(200) character set utf8mb4 collate utf8mb4_unicode_ci,
    bio text,
    avatar blob,
    settings json,
    mood enum('happy', 'sad', 'ünïcödé') default null,
    flags set('admin', 'verified'),
    created_at timestamp not null default current_timestamp,
    birthday date,
    balance decimal(12, 2) default 0,
    score double,
    active bit(1) default b'1',
    constraint handle_chars check (handle regexp '^[a-z0-9_]+$')
) engine = InnoDB comment = 'People who post';
alter table users auto_increment = 5000;

create table posts (
    id bigint not null,
    author_id bigint unsigned not null,
    body text not null,
    posted_on date not null,
    likes int not null default 0,
    primary key (id, posted_on),
    key posts_author (author_id)
) engine = InnoDB
partition by range (year(posted_on)) (
    partition p2025 values less than (2026),
    partition p2026 values less than (2027),
    partition pmax values less than maxvalue
);

create table follows (
    follower bigint unsigned not null,
    followee bigint unsigned not null,
    since datetime(6) default null,
    primary key (follower, followee),
    constraint follows_follower foreign key (follower) references users (id) on delete cascade,
    constraint follows_followee foreign key (followee) references users (id)
) engine = InnoDB;

create table events (
    id int not null primary key,
    kind varchar(10) not null,
    payload varchar(64),
    at datetime not null,
    key events_kind_at (kind, at)
) engine = InnoDB;

create table audit (
    id int not null auto_increment primary key,
    note varchar(100) comment 'what happened'
) engine = InnoDB;

create view popular as
    select u.handle, count(p.id) as posts, sum(p.likes) as likes
    from users u left join posts p on p.author_id = u.id group by u.handle;

create function like_count(p_author bigint unsigned) returns int deterministic reads sql data
    return (select coalesce(sum(likes), 0) from posts where author_id = p_author);

create procedure add_like(in p_id bigint, in p_day date)
    modifies sql data
    update posts set likes = likes + 1 where id = p_id and posted_on = p_day;

create trigger users_audit after insert on users for each row
    insert into audit (note) values (concat('new user ', new.handle));

create event nightly_cleanup on schedule every 1 day starts '2030-01-01 03:00:00' disable
    do delete from audit where id < 0;

insert into users (handle, display_name, bio, avatar, settings, mood, flags, created_at, birthday, balance, score, active) values
    ('alice', 'Alice — 你好 👋', 'Hello, wörld', x'89504e470d0a1a0a00ff', '{"theme": "dark", "n": [1, 2.5, null]}', 'happy', 'admin,verified', '2025-03-01 12:00:00', '1990-02-28', 10.50, 1.0/3, b'1'),
    ('bob', null, null, null, null, null, '', '2025-03-02 00:00:00', null, null, null, b'0'),
    ('carol', 'Carol "C" O''Neil', 'tab\there\nnewline\\backslash', x'', '"just a string"', 'ünïcödé', 'verified', '2026-01-01 00:00:00', '2000-01-01', -0.01, -1e300, null);
insert into posts (id, author_id, body, posted_on, likes)
    select seq, 5000 + seq % 3, concat('post ', seq, ' ✓'), date '2025-06-01' + interval (seq % 400) day, seq % 17
    from seq_1_to_2000;
insert into follows values (5000, 5001, '2025-01-01 00:00:00.123456'), (5001, 5000, null), (5002, 5000, null);
insert into events (id, kind, payload, at)
    select seq, elt(1 + seq % 4, 'view', 'like', 'follow', 'post'), if(seq % 10 = 0, null, md5(seq)),
           timestamp '2025-01-01 00:00:00' + interval seq second
    from seq_1_to_300000;
