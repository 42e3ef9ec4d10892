import { MessageReply, ref } from '../../http/schemas.js';
export const homeRoutes = async (app) => {
    app.get('/', {
        schema: { operationId: 'home', summary: 'Greeting', tags: ['service'], response: { 200: ref(MessageReply, 'Always {"message":"Bienvenue"}.') } }
    }, async () => ({ message: 'Bienvenue' }));
};
