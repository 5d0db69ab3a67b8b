"""SQLAlchemy 2 with psycopg 3 (shared/clients/SUMMARY.md §2.10): dialect
initialisation (version(), current_schema(), SHOW ..., to_regtype), create_all
with SERIAL primary keys and a FOREIGN KEY (has_table first), ORM
insert (insertmanyvalues)/select/update/delete, and reflection through
inspect() and MetaData.reflect()."""

from common import check, conn, eq, load, run

sa = load("sqlalchemy", "SQLAlchemy")
load("psycopg", "psycopg[binary]")
from sqlalchemy import ForeignKey, String, select  # noqa: E402
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, relationship  # noqa: E402


class Base(DeclarativeBase):
    pass


class Author(Base):
    __tablename__ = "sa_author"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(50), unique=True)
    books: Mapped[list["Book"]] = relationship(back_populates="author", cascade="all, delete-orphan")


class Book(Base):
    __tablename__ = "sa_book"
    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(100))
    price: Mapped[float | None]
    author_id: Mapped[int] = mapped_column(ForeignKey("sa_author.id"))
    author: Mapped[Author] = relationship(back_populates="books")


engine = None


def connect():
    global engine
    p = conn()
    url = sa.URL.create("postgresql+psycopg", username=p["user"], host=p["host"], port=p["port"], database=p["dbname"])
    engine = sa.create_engine(url, connect_args={"connect_timeout": 10})
    with engine.connect() as c:
        check(engine.dialect.server_version_info >= (15,), f"server_version_info {engine.dialect.server_version_info}")
        eq(c.execute(sa.text("select 1")).scalar(), 1, "select 1")
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)


def create_all():
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    insp = sa.inspect(engine)
    check(insp.has_table("sa_author") and insp.has_table("sa_book"), "has_table after create_all")


def orm():
    with Session(engine) as s:
        s.add_all([Author(name="ann", books=[Book(title="a1", price=1.5), Book(title="a2")]),
                   Author(name="bob", books=[Book(title="b1", price=3.0)]),
                   Author(name="cy")])
        s.commit()
        ids = s.scalars(select(Author.id).order_by(Author.id)).all()
        eq(len(ids), 3, "authors inserted")
        check(ids == sorted(set(ids)) and all(i > 0 for i in ids), f"serial ids {ids}")
        ann = s.scalars(select(Author).where(Author.name == "ann")).one()
        eq(sorted(b.title for b in ann.books), ["a1", "a2"], "relationship load")
        book = s.scalars(select(Book).where(Book.title == "b1")).one()
        eq((book.author.name, book.price), ("bob", 3.0), "many-to-one")
        book.price = 4.25
        s.commit()
        eq(s.scalar(select(Book.price).where(Book.id == book.id)), 4.25, "update")
        joined = s.execute(select(Author.name, sa.func.count(Book.id)).join(Book, isouter=True)
                           .group_by(Author.name).order_by(Author.name)).all()
        eq([tuple(r) for r in joined], [("ann", 2), ("bob", 1), ("cy", 0)], "join + group by")
        s.delete(ann)
        s.commit()
        eq(s.scalar(select(sa.func.count()).select_from(Book)), 1, "delete cascaded to books")
        eq(s.scalars(select(Author.name).order_by(Author.name)).all(), ["bob", "cy"], "remaining authors")


def inspect_columns():
    insp = sa.inspect(engine)
    check({"sa_author", "sa_book"} <= set(insp.get_table_names()), f"tables {insp.get_table_names()}")
    cols = {c["name"]: c for c in insp.get_columns("sa_book")}
    eq(list(cols), ["id", "title", "price", "author_id"], "column names")
    eq(str(cols["title"]["type"]), "VARCHAR(100)", "title type")
    eq(cols["title"]["nullable"], False, "title not null")
    eq(cols["price"]["nullable"], True, "price nullable")
    check(isinstance(cols["price"]["type"], sa.Float), f"price type {cols['price']['type']!r}")
    check("nextval" in str(cols["id"]["default"] or ""), f"serial default {cols['id']}")


def inspect_pk():
    eq(sa.inspect(engine).get_pk_constraint("sa_book")["constrained_columns"], ["id"], "pk columns")


def inspect_fks():
    fks = sa.inspect(engine).get_foreign_keys("sa_book")
    eq([(f["constrained_columns"], f["referred_table"], f["referred_columns"]) for f in fks],
       [(["author_id"], "sa_author", ["id"])], "foreign keys")


def inspect_unique():
    uq = sa.inspect(engine).get_unique_constraints("sa_author")
    eq([u["column_names"] for u in uq], [["name"]], "unique constraints")


def reflect():
    md = sa.MetaData()
    md.reflect(engine, only=["sa_author", "sa_book"])
    book = md.tables["sa_book"]
    eq([c.name for c in book.columns], ["id", "title", "price", "author_id"], "reflected columns")
    eq([c.name for c in book.primary_key.columns], ["id"], "reflected pk")
    eq([(fk.parent.name, fk.column.table.name, fk.column.name) for fk in book.foreign_keys],
       [("author_id", "sa_author", "id")], "reflected fk")
    # Its own rows, written and read through the reflected tables (it must
    # not rely on what `orm` left: alone, it starts from empty tables).
    author = md.tables["sa_author"]
    with engine.begin() as c:
        aid = c.execute(sa.insert(author).values(name="reflected").returning(author.c.id)).scalar_one()
        c.execute(sa.insert(book).values(title="r1", price=2.5, author_id=aid))
    with engine.connect() as c:
        rows = c.execute(select(book.c.title, book.c.price, author.c.name)
                         .join(author, book.c.author_id == author.c.id)
                         .where(book.c.title == "r1")).all()
        eq([tuple(r) for r in rows], [("r1", 2.5, "reflected")], "insert and select through the reflected tables")


def close():
    Base.metadata.drop_all(engine)
    engine.dispose()


run("sqlalchemy", {"connect": connect, "create_all": create_all, "orm": orm, "inspect_columns": inspect_columns,
                   "inspect_pk": inspect_pk, "inspect_fks": inspect_fks, "inspect_unique": inspect_unique,
                   "reflect": reflect, "close": close})
