"""Translated user-facing strings (French and English)."""

from __future__ import annotations

from dataclasses import dataclass, field

MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "error.generic": "Sorry, something went wrong on my side. Nothing was changed.",
        "error.bad_input": "{detail}",
        "error.unsupported_file": "❌ {name}: unsupported file type. I read: txt, md, json, csv, pdf, docx, photos of text (png, jpg, webp, heic) and voice notes.",
        "error.corrupt_file": "❌ {name}: I could not read this file. Nothing was stored.",
        "error.corrupt_file_no_text": "❌ {name}: I found no text in this file. Nothing was stored.",
        "error.corrupt_file_binary": "❌ {name}: this is binary data, not text. Nothing was stored.",
        "error.corrupt_file_json": "❌ {name}: invalid JSON at line {line}. Nothing was stored.",
        "error.corrupt_file_pdf": "❌ {name}: this is not a valid PDF. Nothing was stored.",
        "error.corrupt_file_pdf_protected": "❌ {name}: the PDF is password-protected. Nothing was stored.",
        "error.corrupt_file_scanned": "❌ {name}: no text found (a scanned PDF?). Nothing was stored.",
        "error.corrupt_file_docx": "❌ {name}: this is not a valid .docx file. Nothing was stored.",
        "error.empty_text": "There is nothing to remember: the text is empty.",
        "error.text_too_long": "The text is too long ({length} characters; the limit is {limit}).",
        "error.importance_range": "The importance must be a number between 0 and 1.",
        "error.export_format": "Unknown export format: choose json, jsonl or text.",
        "error.file_too_large": "❌ {name}: the file is too large ({size} bytes; the limit is {limit}).",
        "error.unknown_memory": "There is no memory #{id} in this chat's memory.",
        "error.limit_reached": "This memory is full ({limit} memories). Forget some before adding more.",
        "error.llm_unreachable": "The language model (Ollama) is not reachable.",
        "error.llm_timeout": "The language model did not answer within {seconds} s.",
        "error.llm_failed": "The language model failed on its server (Ollama error {status}); try again in a moment.",
        "error.llm_stopped": "The language model stopped with an error on its server.",
        "error.llm_out_of_memory": "The model {model} needs more memory than the Ollama server has free; a smaller model ({c}model) would fit.",
        "error.llm_bad_reply": "Something other than Ollama answered at the configured address (a web page, perhaps a proxy error).",
        "error.llm_cut": "The connection to the language model was cut before the answer was complete.",
        "error.model_missing": "The model '{model}' is not installed in Ollama. Run: ollama pull {model}",
        "error.not_allowed": "Only an admin can do that.",
        "error.unknown_document": "There is no document {id} in this chat's memory.",
        "error.undecryptable": "🔒 I could not decrypt your message (no key for it yet). I asked your devices for the key; please send it again in a moment.",
        "error.download_failed": "❌ {name}: I could not download the file. Nothing was stored.",
        "access.denied": (
            "Hello! I am a private assistant and you are not on my list yet. Your id is {user}. "
            "Ask the owner to add it to SOUVENIR_ALLOWED_USERS, or send {c}start CODE with the "
            "pairing code shown when I started."
        ),
        "access.denied_in_group": "I am a private assistant and you are not on my list yet: write to me in a direct chat to ask for access.",
        "access.paired": "✅ Paired. You are now the owner of this assistant ({user}). Send {c}help to start.",
        "access.bad_code": "That pairing code is not valid.",
        "start.welcome": "Hello! I am Souvenir, your assistant with a memory. Send {c}help to see what I can do.",
        "teach.empty": "Usage: {c}teach TEXT (the fact to remember).",
        "teach.done": "✅ Remembered as #{id}.",
        "correct.usage": "Usage: {c}correct WRONG | RIGHT",
        "correct.done": "✅ Correction stored as #{id}.",
        "correct.superseded": "Replaced (kept for audit, no longer used): {ids}",
        "correct.linked": "Documents that said otherwise now come with the correction: {ids}",
        "correct.nothing": "No stored memory said that; the correction is stored anyway.",
        "forget.usage": "Usage: {c}forget N (a memory, see {c}remember) or {c}forget doc N (a whole document).",
        "forget.done": "🗑️ Forgot #{id}: {text}",
        "forget.document.one": "🗑️ Forgot document {doc} ({name}) and its {count} memory.",
        "forget.document.other": "🗑️ Forgot document {doc} ({name}) and its {count} memories.",
        "forget.restored": "Restored (it had been replaced by this correction): {ids}",
        "remember.empty": "Nothing remembered here yet. Teach me with: {c}teach TEXT, or send a document.",
        "remember.nothing_matches": "No memory matches that.",
        "remember.header.one": "{count} memory:",
        "remember.header.other": "Memories {first}–{last} of {total}:",
        "remember.more": "More: {c}remember {query}page {page}",
        "why.none": "I have not answered anything in this chat yet.",
        "why.header": "My last answer used these memories:",
        "why.nothing": "My last answer used no memory.",
        "why.gone": "a memory forgotten since",
        "why.memories_left_out": "Left out to fit the model's context ({window} tokens): memories {ids}.",
        "why.turns_left_out": "Left out to fit the model's context ({window} tokens): {count} earlier exchanges of this chat.",
        "why.question_cut": "Your question was too long for the model's context ({window} tokens): only its beginning was sent.",
        "talk.offline": "⚠️ {detail} Here is what I remember that looks relevant:",
        "talk.offline_empty": "⚠️ {detail} I found nothing relevant in memory either.",
        "talk.interrupted": "⚠️ The answer was interrupted: {detail}",
        "talk.empty": "Say something and I will answer.",
        "ingest.progress": "📥 {name}: {done}/{total} chunks…",
        "ingest.reading": "📥 {name}: reading…",
        "ingest.done.one": "✅ {name}: {count} memory, in document #{doc} (remove it with {c}forget doc {doc}).",
        "ingest.done.other": "✅ {name}: {count} memories, in document #{doc} (remove it with {c}forget doc {doc}).",
        "ingest.duplicate": "♻️ {name}: already known (document #{doc}); nothing added.",
        "ingest.usage": "Usage: {c}ingest FILE. In a direct chat you can also just send the file.",
        "ingest.missing": "❌ {name}: no such file.",
        "error.audio_too_long": "❌ {name}: too long (the limit is {seconds} s of audio). Nothing was done.",
        "error.nothing_read": "❌ {name}: I found no readable text in it. Nothing was stored.",
        "error.feature_off": "This is switched off here.",
        "error.corrupt_file_image": "❌ {name}: this is not an image I can open. Nothing was stored.",
        "error.image_too_large": "❌ {name}: the image is too large ({pixels} pixels; the limit is {limit}).",
        "error.corrupt_file_audio": "❌ {name}: this is not a sound file I can play. Nothing was done.",
        "error.corrupt_file_no_sound": "❌ {name}: there is no sound in it. Nothing was done.",
        "ocr.off": "📷 I cannot read photos on this installation ({reason}).",
        "voice.off": "🎤 I cannot listen to voice notes on this installation ({reason}).",
        "web.off": "🔗 I cannot fetch links on this installation ({reason}).",
        "photo.name": "photo of {date}",
        "photo.read": "📷 {name}: “{first}”",
        "voice.name": "voice note",
        "web.fetching": "🔗 {url}: fetching…",
        "web.read": "🔗 {title}: “{first}”",
        "ingest.link_usage": "Usage: {c}ingest FILE or {c}ingest URL (an http or https link); you can also just send the file or the link.",
        "web.bad_url": "❌ {url}: this is not a link I can fetch. Nothing was stored.",
        "web.scheme": "❌ {url}: only http and https links are fetched. Nothing was stored.",
        "web.private": "❌ {url}: this link points to a local or private address; I do not fetch those. Nothing was stored.",
        "web.too_large": "❌ {url}: the page is larger than {limit} bytes. Nothing was stored.",
        "web.redirects": "❌ {url}: too many redirects (more than {count}). Nothing was stored.",
        "web.timeout": "❌ {url}: the site did not answer within {seconds} s. Nothing was stored.",
        "web.status": "❌ {url}: the site answered with an error ({status}). Nothing was stored.",
        "web.not_a_page": "❌ {url}: this is not a web page ({type}). Nothing was stored.",
        "web.unreachable": "❌ {url}: I could not reach this site. Nothing was stored.",
        "status.header": "📊 Memory status for {scope}",
        "status.kinds": "Memories: {total} ({kinds})",
        "status.superseded": "Superseded (kept for audit): {count}",
        "status.documents": "Documents: {count}",
        "status.index": "Index on disk: {size}",
        "status.embedder": "Embedder: {name}",
        "status.model": "Model: {model} — Ollama {state}",
        "status.reachable": "reachable",
        "status.unreachable": "not reachable",
        "status.interactions": "Conversations logged: {count}",
        "model.current": "Model for this chat: {model}",
        "model.available": "Available: {models}",
        "model.unreachable": "Ollama is not reachable, so I cannot list models.",
        "model.set": "✅ This chat now uses {model}.",
        "reset.done": "🧹 Short-term conversation cleared (memories are kept).",
        "export.unavailable": "Export is not available yet.",
        "finetune.base_missing": "The base model {base} is not on this Ollama: run `ollama pull {base}`.",
        "finetune.create_failed": "Ollama could not create the model: {detail}",
        "finetune.unreachable": "Ollama is not reachable: start it (`ollama serve`) or point SOUVENIR_OLLAMA__HOST at it.",
        "finetune.adapter_not_gguf": "Ollama refused the adapter for {base}: it takes a GGUF file, or a PEFT safetensors directory it can convert; convert the adapter with llama.cpp's convert_lora_to_gguf.py.",
        "finetune.adapter_arch": "Ollama cannot convert a safetensors LoRA adapter for {base} (architecture {arch}): it converts them for Llama and Gemma 2 bases only; convert the adapter to GGUF with llama.cpp's convert_lora_to_gguf.py.",
        "finetune.no_adapter": "No LoRA adapter at {path}.",
        "finetune.no_training_libs": "Training a LoRA adapter needs the [finetune] extra: pip install 'souvenir[finetune]'.",
        "finetune.created": "✅ Model {name} created from {base} with {count} seed messages. Switch to it with /model {name}.",
        "finetune.no_data": "Nothing to train on in {scope}: teach, correct or talk first.",
        "finetune.no_hf_model": "No Hugging Face model directory at {path} (it needs config.json and the tokenizer).",
        "unknown.command": "Unknown command: {name}. Send {c}help for the list.",
        "help.header": "Here is what I can do:",
        "help.footer": "Plain text is a question. Send a document (txt, md, json, csv, pdf, docx), a photo of a page or a link to teach me its content; a voice note counts as typed text.",
        "help.group": "In a group I answer commands, messages that start by naming me and replies to me; a file is read only when it names me or replies to me.",
        "language.current": "This chat speaks English. Change with {c}language fr|en.",
        "language.set": "✅ From now on I answer in English in this chat.",
        "language.usage": "Usage: {c}language fr|en",
    },
    "fr": {
        "error.generic": "Désolé, un problème est survenu de mon côté. Rien n'a été modifié.",
        "error.bad_input": "{detail}",
        "error.unsupported_file": "❌ {name} : type de fichier non pris en charge. Je lis : txt, md, json, csv, pdf, docx, les photos de texte (png, jpg, webp, heic) et les messages vocaux.",
        "error.corrupt_file": "❌ {name} : je n'ai pas pu lire ce fichier. Rien n'a été enregistré.",
        "error.corrupt_file_no_text": "❌ {name} : je n'ai trouvé aucun texte dans ce fichier. Rien n'a été enregistré.",
        "error.corrupt_file_binary": "❌ {name} : ce sont des données binaires, pas du texte. Rien n'a été enregistré.",
        "error.corrupt_file_json": "❌ {name} : JSON invalide à la ligne {line}. Rien n'a été enregistré.",
        "error.corrupt_file_pdf": "❌ {name} : ce n'est pas un PDF valide. Rien n'a été enregistré.",
        "error.corrupt_file_pdf_protected": "❌ {name} : le PDF est protégé par un mot de passe. Rien n'a été enregistré.",
        "error.corrupt_file_scanned": "❌ {name} : aucun texte trouvé (un PDF numérisé ?). Rien n'a été enregistré.",
        "error.corrupt_file_docx": "❌ {name} : ce n'est pas un fichier .docx valide. Rien n'a été enregistré.",
        "error.empty_text": "Il n'y a rien à retenir : le texte est vide.",
        "error.text_too_long": "Le texte est trop long ({length} caractères ; la limite est {limit}).",
        "error.importance_range": "L'importance doit être un nombre entre 0 et 1.",
        "error.export_format": "Format d'export inconnu : choisissez json, jsonl ou text.",
        "error.file_too_large": "❌ {name} : fichier trop volumineux ({size} octets ; la limite est {limit}).",
        "error.unknown_memory": "Il n'y a pas de souvenir n°{id} dans la mémoire de cette discussion.",
        "error.limit_reached": "Cette mémoire est pleine ({limit} souvenirs). Oubliez-en avant d'en ajouter.",
        "error.llm_unreachable": "Le modèle de langage (Ollama) est injoignable.",
        "error.llm_timeout": "Le modèle de langage n'a pas répondu en {seconds} s.",
        "error.llm_failed": "Le modèle de langage a échoué sur son serveur (erreur Ollama {status}) ; réessayez dans un moment.",
        "error.llm_stopped": "Le modèle de langage s'est arrêté sur une erreur de son serveur.",
        "error.llm_out_of_memory": "Le modèle {model} demande plus de mémoire que le serveur Ollama n'en a de libre ; un modèle plus petit ({c}model) conviendrait.",
        "error.llm_bad_reply": "Autre chose qu'Ollama a répondu à l'adresse configurée (une page web, sans doute une erreur de proxy).",
        "error.llm_cut": "La connexion au modèle de langage a été coupée avant la fin de la réponse.",
        "error.model_missing": "Le modèle « {model} » n'est pas installé dans Ollama. Lancez : ollama pull {model}",
        "error.not_allowed": "Seul un administrateur peut faire cela.",
        "error.unknown_document": "Il n'y a pas de document {id} dans la mémoire de cette discussion.",
        "error.undecryptable": "🔒 Je n'ai pas pu déchiffrer votre message (pas encore de clé). J'ai demandé la clé à vos appareils ; renvoyez-le dans un instant.",
        "error.download_failed": "❌ {name} : je n'ai pas pu télécharger le fichier. Rien n'a été enregistré.",
        "access.denied": (
            "Bonjour ! Je suis un assistant privé et vous n'êtes pas encore sur ma liste. Votre "
            "identifiant est {user}. Demandez au propriétaire de l'ajouter à SOUVENIR_ALLOWED_USERS, "
            "ou envoyez {c}start CODE avec le code d'appairage affiché à mon démarrage."
        ),
        "access.denied_in_group": "Je suis un assistant privé et vous n'êtes pas encore sur ma liste : écrivez-moi en discussion directe pour demander l'accès.",
        "access.paired": "✅ Appairé. Vous êtes maintenant propriétaire de cet assistant ({user}). Envoyez {c}help pour commencer.",
        "access.bad_code": "Ce code d'appairage n'est pas valide.",
        "start.welcome": "Bonjour ! Je suis Souvenir, votre assistant doté d'une mémoire. Envoyez {c}help pour voir ce que je sais faire.",
        "teach.empty": "Usage : {c}teach TEXTE (le fait à retenir).",
        "teach.done": "✅ Retenu sous le n°{id}.",
        "correct.usage": "Usage : {c}correct FAUX | JUSTE",
        "correct.done": "✅ Correction enregistrée sous le n°{id}.",
        "correct.superseded": "Remplacés (gardés pour mémoire, plus utilisés) : {ids}",
        "correct.linked": "Les documents qui disaient autre chose viennent désormais avec la correction : {ids}",
        "correct.nothing": "Aucun souvenir ne disait cela ; la correction est tout de même enregistrée.",
        "forget.usage": "Usage : {c}forget N (un souvenir, voir {c}remember) ou {c}forget doc N (tout un document).",
        "forget.done": "🗑️ Oublié n°{id} : {text}",
        "forget.document.one": "🗑️ Document {doc} ({name}) oublié, avec {count} souvenir.",
        "forget.document.other": "🗑️ Document {doc} ({name}) oublié, avec ses {count} souvenirs.",
        "forget.restored": "Rétablis (ils avaient été remplacés par cette correction) : {ids}",
        "remember.empty": "Rien en mémoire ici pour l'instant. Apprenez-moi avec : {c}teach TEXTE, ou envoyez un document.",
        "remember.nothing_matches": "Aucun souvenir ne correspond.",
        "remember.header.one": "{count} souvenir :",
        "remember.header.other": "Souvenirs {first} à {last} sur {total} :",
        "remember.more": "Suite : {c}remember {query}page {page}",
        "why.none": "Je n'ai encore rien répondu dans cette discussion.",
        "why.header": "Ma dernière réponse s'appuyait sur ces souvenirs :",
        "why.nothing": "Ma dernière réponse ne s'appuyait sur aucun souvenir.",
        "why.gone": "un souvenir oublié depuis",
        "why.memories_left_out": "Laissés de côté pour tenir dans le contexte du modèle ({window} jetons) : souvenirs {ids}.",
        "why.turns_left_out": "Laissés de côté pour tenir dans le contexte du modèle ({window} jetons) : {count} échanges précédents de cette discussion.",
        "why.question_cut": "Votre question était trop longue pour le contexte du modèle ({window} jetons) : seul son début a été envoyé.",
        "talk.offline": "⚠️ {detail} Voici ce que je retiens de pertinent :",
        "talk.offline_empty": "⚠️ {detail} Je n'ai rien trouvé de pertinent en mémoire non plus.",
        "talk.interrupted": "⚠️ La réponse a été interrompue : {detail}",
        "talk.empty": "Dites-moi quelque chose et je vous répondrai.",
        "ingest.progress": "📥 {name} : {done}/{total} morceaux…",
        "ingest.reading": "📥 {name} : lecture…",
        "ingest.done.one": "✅ {name} : {count} souvenir, dans le document n°{doc} (à retirer avec {c}forget doc {doc}).",
        "ingest.done.other": "✅ {name} : {count} souvenirs, dans le document n°{doc} (à retirer avec {c}forget doc {doc}).",
        "ingest.duplicate": "♻️ {name} : déjà connu (document n°{doc}) ; rien d'ajouté.",
        "ingest.usage": "Usage : {c}ingest FICHIER. En discussion directe, vous pouvez aussi simplement envoyer le fichier.",
        "ingest.missing": "❌ {name} : fichier introuvable.",
        "error.audio_too_long": "❌ {name} : trop long (la limite est de {seconds} s d'audio). Rien n'a été fait.",
        "error.nothing_read": "❌ {name} : je n'y ai trouvé aucun texte lisible. Rien n'a été enregistré.",
        "error.feature_off": "Cette fonction est désactivée ici.",
        "error.corrupt_file_image": "❌ {name} : ce n'est pas une image que je sais ouvrir. Rien n'a été enregistré.",
        "error.image_too_large": "❌ {name} : l'image est trop grande ({pixels} pixels ; la limite est {limit}).",
        "error.corrupt_file_audio": "❌ {name} : ce n'est pas un fichier son que je sais lire. Rien n'a été fait.",
        "error.corrupt_file_no_sound": "❌ {name} : il n'y a aucun son dedans. Rien n'a été fait.",
        "ocr.off": "📷 Je ne sais pas lire les photos sur cette installation ({reason}).",
        "voice.off": "🎤 Je ne sais pas écouter les messages vocaux sur cette installation ({reason}).",
        "web.off": "🔗 Je ne sais pas récupérer les liens sur cette installation ({reason}).",
        "photo.name": "photo du {date}",
        "photo.read": "📷 {name} : « {first} »",
        "voice.name": "message vocal",
        "web.fetching": "🔗 {url} : récupération…",
        "web.read": "🔗 {title} : « {first} »",
        "ingest.link_usage": "Usage : {c}ingest FICHIER ou {c}ingest URL (un lien http ou https) ; vous pouvez aussi simplement envoyer le fichier ou le lien.",
        "web.bad_url": "❌ {url} : ce n'est pas un lien que je peux récupérer. Rien n'a été enregistré.",
        "web.scheme": "❌ {url} : je ne récupère que les liens http et https. Rien n'a été enregistré.",
        "web.private": "❌ {url} : ce lien mène à une adresse locale ou privée ; je ne les récupère pas. Rien n'a été enregistré.",
        "web.too_large": "❌ {url} : la page dépasse {limit} octets. Rien n'a été enregistré.",
        "web.redirects": "❌ {url} : trop de redirections (plus de {count}). Rien n'a été enregistré.",
        "web.timeout": "❌ {url} : le site n'a pas répondu en {seconds} s. Rien n'a été enregistré.",
        "web.status": "❌ {url} : le site a répondu par une erreur ({status}). Rien n'a été enregistré.",
        "web.not_a_page": "❌ {url} : ce n'est pas une page web ({type}). Rien n'a été enregistré.",
        "web.unreachable": "❌ {url} : je n'ai pas pu joindre ce site. Rien n'a été enregistré.",
        "status.header": "📊 État de la mémoire de {scope}",
        "status.kinds": "Souvenirs : {total} ({kinds})",
        "status.superseded": "Remplacés (gardés pour mémoire) : {count}",
        "status.documents": "Documents : {count}",
        "status.index": "Index sur disque : {size}",
        "status.embedder": "Plongements : {name}",
        "status.model": "Modèle : {model} — Ollama {state}",
        "status.reachable": "joignable",
        "status.unreachable": "injoignable",
        "status.interactions": "Échanges enregistrés : {count}",
        "model.current": "Modèle de cette discussion : {model}",
        "model.available": "Disponibles : {models}",
        "model.unreachable": "Ollama est injoignable, je ne peux pas lister les modèles.",
        "model.set": "✅ Cette discussion utilise maintenant {model}.",
        "reset.done": "🧹 Conversation à court terme effacée (les souvenirs sont conservés).",
        "export.unavailable": "L'export n'est pas encore disponible.",
        "finetune.base_missing": "Le modèle de base {base} n'est pas sur cet Ollama : lancez `ollama pull {base}`.",
        "finetune.create_failed": "Ollama n'a pas pu créer le modèle : {detail}",
        "finetune.unreachable": "Ollama est injoignable : démarrez-le (`ollama serve`) ou indiquez son adresse dans SOUVENIR_OLLAMA__HOST.",
        "finetune.adapter_not_gguf": "Ollama a refusé l'adaptateur pour {base} : il lui faut un fichier GGUF, ou un dossier safetensors de PEFT qu'il sait convertir ; convertissez l'adaptateur avec convert_lora_to_gguf.py de llama.cpp.",
        "finetune.adapter_arch": "Ollama ne sait pas convertir un adaptateur LoRA safetensors pour {base} (architecture {arch}) : seulement pour des bases Llama et Gemma 2 ; convertissez l'adaptateur en GGUF avec convert_lora_to_gguf.py de llama.cpp.",
        "finetune.no_adapter": "Aucun adaptateur LoRA à {path}.",
        "finetune.no_training_libs": "Entraîner un adaptateur LoRA demande l'extra [finetune] : pip install 'souvenir[finetune]'.",
        "finetune.created": "✅ Modèle {name} créé depuis {base} avec {count} messages d'exemple. Choisissez-le avec /model {name}.",
        "finetune.no_data": "Rien pour l'entraînement dans {scope} : enseignez, corrigez ou discutez d'abord.",
        "finetune.no_hf_model": "Pas de dossier de modèle Hugging Face à {path} (il faut config.json et le tokenizer).",
        "unknown.command": "Commande inconnue : {name}. Envoyez {c}help pour la liste.",
        "help.header": "Voici ce que je sais faire :",
        "help.footer": "Un texte simple est une question. Envoyez un document (txt, md, json, csv, pdf, docx), la photo d'une page ou un lien pour m'apprendre son contenu ; un message vocal vaut un texte tapé.",
        "help.group": "Dans un groupe, je réponds aux commandes, aux messages qui commencent par mon nom et aux réponses à mes messages ; un fichier n'est lu que s'il me nomme ou me répond.",
        "language.current": "Cette discussion est en français. Pour changer : {c}language fr|en.",
        "language.set": "✅ Désormais je réponds en français dans cette discussion.",
        "language.usage": "Usage : {c}language fr|en",
    },
}

SUPPORTED = ("en", "fr")


def normalise_language(code: str | None, default: str) -> str:
    """Map a platform language code (`fr-FR`, `en_US`) to a supported language."""
    if code:
        short = code.replace("_", "-").split("-")[0].lower()
        if short in SUPPORTED:
            return short
    return default


def plural_form(lang: str, count: object) -> str:
    """`one` or `other`: French counts 0 and 1 as singular, English only 1."""
    if not isinstance(count, int):
        return "other"
    return "one" if count == 1 or (lang == "fr" and count == 0) else "other"


class _Params(dict):
    """Message parameters; a missing one reads as empty."""

    def __missing__(self, key: str) -> str:
        return ""


@dataclass
class Translator:
    """Looks up a message by key in the user's language, falling back to English.

    A key with `.one` / `.other` variants is chosen by the `count` parameter. `c` is how the
    platform writes a command (`/`, `!`, nothing on the console); it defaults to `/`.
    """

    default: str = "en"
    messages: dict[str, dict[str, str]] = field(default_factory=lambda: MESSAGES)

    def __call__(self, lang: str | None, key: str, **params: object) -> str:
        """The message `key` in `lang`, formatted with `params`."""
        lang = normalise_language(lang, self.default)
        params.setdefault("c", "/")
        if f"{key}.other" in self.messages["en"]:
            key = f"{key}.{plural_form(lang, params.get('count'))}"
        template = self.messages.get(lang, {}).get(key) or self.messages["en"].get(key, key)
        # A parameter the caller forgot is left out, never shown as a literal `{name}`.
        return template.format_map(_Params(params))
