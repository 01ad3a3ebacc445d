/** `pg-oldest` is a devDependency alias of the oldest pg the peer range allows (see oldest-pg.test.ts). */
declare module 'pg-oldest' {
  import pg from 'pg'
  export default pg
  export const Pool: typeof pg.Pool
}
