// The query strings and form bodies the pages share. Form bodies allow fields they do not
// name (a password manager's hidden username): nothing is stored from them.
import { Type } from 'typebox';
export const PageQuery = Type.Object({ lang: Type.Optional(Type.String({ maxLength: 16 })) });
export const ReturnQuery = Type.Object({ ...PageQuery.properties, return_to: Type.Optional(Type.String()) });
export const TokenQuery = Type.Object({ ...PageQuery.properties, token: Type.Optional(Type.String({ maxLength: 256 })) });
export const NoticeQuery = Type.Object({ ...PageQuery.properties, notice: Type.Optional(Type.String({ maxLength: 64 })) });
export const FormToken = Type.Object({ _csrf: Type.String({ maxLength: 256 }) });
export const TokenForm = Type.Object({ ...FormToken.properties, token: Type.String({ maxLength: 256 }) });
