import { PGlite } from "@electric-sql/pglite";
import { btree_gist } from "@electric-sql/pglite/contrib/btree_gist";
for (let i=0;i<3;i++){const t=Date.now();
const db = new PGlite({extensions:{btree_gist}});
await db.exec("create extension if not exists btree_gist;");
console.log(Date.now()-t);
const t2=Date.now(); const c = await db.clone(); await c.query("select 1"); console.log("clone",Date.now()-t2);}
