{{- define "vouch-admission.name" -}}
{{- printf "%s" .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "vouch-admission.labels" -}}
app.kubernetes.io/name: vouch-admission
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: vouch
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "vouch-admission.selector" -}}
app.kubernetes.io/name: vouch-admission
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
