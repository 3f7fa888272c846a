// The card widget's only script. The access token arrives in the URL fragment, which browsers
// never send to a server or put in a Referer; it is read once and removed from the address bar.
(function () {
  'use strict'
  var body = document.body
  var kind = body.getAttribute('data-widget')
  var apiBase = body.getAttribute('data-api')
  var main = document.getElementById('widget')
  var params = new URLSearchParams(location.search)
  var fragment = new URLSearchParams(location.hash.replace(/^#/, ''))
  var token = fragment.get('token') || ''
  if (location.hash) history.replaceState(null, '', location.pathname + location.search)

  function refuse(text) {
    main.textContent = ''
    var p = document.createElement('p')
    p.className = 'refused'
    p.id = 'refused'
    p.setAttribute('role', 'alert')
    p.textContent = text
    main.appendChild(p)
  }

  function say(text, cls) {
    var m = document.getElementById('message')
    m.textContent = text
    m.className = 'message ' + cls
  }

  function call(action, payload) {
    payload.token = token
    token = ''
    if (params.get('card_id')) payload.card_id = params.get('card_id')
    return fetch(apiBase + '/' + action, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      cache: 'no-store',
      credentials: 'omit',
    }).then(function (res) {
      return res.json().then(function (data) { return { ok: res.ok, data: data } })
    })
  }

  var refusals = { token: true }
  function handle(result, onOk) {
    if (result.ok) return onOk(result.data)
    if (refusals[result.data.reason]) return refuse(result.data.message)
    say(result.data.message, 'error')
  }

  if (!token) return refuse('This card link is not valid. Ask for a new one.')

  if (kind === 'show_card') {
    call('card', {}).then(function (r) {
      handle(r, function (card) {
        document.getElementById('pan').textContent = card.pan
        document.getElementById('exp').textContent = card.expiration
        document.getElementById('cvv').textContent = card.cvv
        document.getElementById('name').textContent = card.name
        document.getElementById('brand').textContent = card.brand
      })
    }, function () { refuse('The card could not be shown. Try again later.') })
    return
  }

  var form = document.getElementById('form')
  form.addEventListener('submit', function (event) {
    event.preventDefault()
    var payload = {}
    if (kind === 'set_pin') {
      var pin = document.getElementById('pin').value
      if (pin !== document.getElementById('pin2').value) return say('The two PINs differ.', 'error')
      if (!/^[0-9]{4}$/.test(pin)) return say('A PIN is 4 digits.', 'error')
      payload.pin = pin
    } else {
      payload.cvv = document.getElementById('cvv').value
    }
    form.querySelector('button').disabled = true
    call(kind === 'set_pin' ? 'set_pin' : 'activate', payload).then(function (r) {
      handle(r, function () {
        form.remove()
        say(kind === 'set_pin' ? 'Your PIN is set.' : 'Your card is active.', 'done')
      })
    }, function () { refuse('The request failed. Try again later.') })
  })
})()
