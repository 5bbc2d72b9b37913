import { envelope, type WidgetMessageType, type WidgetPayloads } from "./protocol.ts";

/**
 * Messages to the host page go only to the parent origin the loader gave us (`parentOrigin`, which the server checked
 * against FRAME_ANCESTORS), and only when the browser confirms it is our actual parent (ancestorOrigins, where
 * supported). postMessage with that target origin is dropped by the browser if the parent is anyone else. The widget
 * listens to no incoming message at all, so nothing another window sends can steer it.
 */
export function createBridge(parentOrigin: string | null) {
  const framed = window.parent !== window;
  const ancestor = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins?.[0];
  const target = framed && parentOrigin && (!ancestor || ancestor === parentOrigin) ? parentOrigin : null;
  return {
    post<T extends WidgetMessageType>(type: T, payload: WidgetPayloads[T]) {
      if (target) window.parent.postMessage(envelope(type, payload), target);
    },
  };
}
export type Bridge = ReturnType<typeof createBridge>;
