-- The key ring that protects sign-in cookies and anti-forgery tokens (ASP.NET Core data protection), as the XML
-- elements it writes, in the order written: every server on the store reads the cookies the others issued, and a
-- restart or a move to another machine signs nobody out.
CREATE TABLE protection_keys (
    seq INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    xml TEXT NOT NULL
);
